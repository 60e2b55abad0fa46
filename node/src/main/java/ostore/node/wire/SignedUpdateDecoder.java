package ostore.node.wire;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import ostore.api.v1.SignedUpdate;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.UpdateSignature;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Update;

/**
 * The one place where a client's {@code SignedUpdate} becomes an {@link AuthenticatedUpdate}.
 *
 * <p>{@link #verify} is the path for updates arriving from clients: it checks the signature, which
 * is the most expensive step of the whole update path on this hardware (about 0.2 ms per update),
 * so it runs once per update per node and never again for that update.
 */
public final class SignedUpdateDecoder {
    private final LongAdder checks = new LongAdder();
    private final LongAdder checkNanos = new LongAdder();
    /** The only {@code Update.format_version} this node understands. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Decodes an update from a client and checks its signature.
     *
     * @throws BadRequestException naming the first bad field; {@link
     *     BadRequestException#unauthenticated()} is set when only the signature is wrong
     */
    public AuthenticatedUpdate verify(SignedUpdate signed) {
        long start = System.nanoTime();
        try {
            return check(signed);
        } finally {
            checks.increment();
            checkNanos.add(System.nanoTime() - start);
        }
    }

    /** Updates checked so far (well-formed or not), for the phase breakdown of ring status. */
    public long checks() {
        return checks.sum();
    }

    /** Time spent checking them: the signature and the body's decoding. */
    public long checkNanos() {
        return checkNanos.sum();
    }

    private AuthenticatedUpdate check(SignedUpdate signed) {
        if (!signed.getUnknownFields().asMap().isEmpty()) {
            throw new BadRequestException("SignedUpdate", "has fields unknown to this node: "
                    + signed.getUnknownFields().asMap().keySet());
        }
        // The signature is checked before the body is parsed: parsing a large, deeply built body
        // costs far more than one verification, and an unsigned one must not get that far.
        PublicKey writer = WireFields.publicKey(signed.getPublicKey(), "public_key");
        Hash32 digest = UpdateSignature.digest(writer, signed.getBody().toByteArray());
        if (!UpdateSignature.verify(writer, digest, signed.getSignature().toByteArray())) {
            throw BadRequestException.badSignature("does not verify for public_key " + writer.toHex());
        }
        return new AuthenticatedUpdate(parseAndConvert(signed), writer, digest);
    }

    private static Update parseAndConvert(SignedUpdate signed) {
        ostore.api.v1.Update proto;
        try {
            proto = ostore.api.v1.Update.parseFrom(signed.getBody());
        } catch (InvalidProtocolBufferException e) {
            throw new BadRequestException("body", "not a valid ostore.v1.Update: " + e.getMessage());
        }
        if (proto.getFormatVersion() != FORMAT_VERSION) {
            throw new BadRequestException("format_version",
                    "must be " + FORMAT_VERSION + " (got " + Integer.toUnsignedString(proto.getFormatVersion()) + ")");
        }
        rejectUnknownFields(proto, "");
        return UpdateConverter.toDomain(proto);
    }

    /**
     * A field this version does not know would be signed and stored but silently ignored when the
     * update executes; a newer client must learn that this node cannot honour it instead.
     */
    private static void rejectUnknownFields(Message message, String path) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            throw new BadRequestException(path.isEmpty() ? "body" : path, "has fields unknown to format_version " + FORMAT_VERSION
                    + ": " + message.getUnknownFields().asMap().keySet());
        }
        message.getAllFields().forEach((field, value) -> {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                return;
            }
            String child = path.isEmpty() ? field.getName() : path + "." + field.getName();
            if (field.isRepeated()) {
                List<?> items = (List<?>) value;
                for (int i = 0; i < items.size(); i++) {
                    rejectUnknownFields((Message) items.get(i), child + "[" + i + "]");
                }
            } else {
                rejectUnknownFields((Message) value, child);
            }
        });
    }
}
