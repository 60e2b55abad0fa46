package ostore.ring.bft;

import java.util.Arrays;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;

/**
 * The one place replica frames are built and checked. A frame, format 1:
 * {@code [u8 format = 1][u8 type][u32 sender][body][64-byte Ed25519 signature]}, the signature by
 * the sender's key over everything before it under {@link Domain#RING_MESSAGE}. Signatures, not
 * MACs, so that prepared certificates and checkpoint proofs convince third parties.
 *
 * <p>{@link #decodeAndVerify} is pure and thread-safe: the transport calls it on its own threads
 * (the simulator on delivery), and the single-threaded replica core sees only verified messages.
 */
public final class Frames {
    public static final int FORMAT = 1;
    public static final int HEADER_BYTES = 6;
    public static final int MIN_BYTES = HEADER_BYTES + PublicKey.SIGNATURE_LENGTH;
    /** NEW-VIEW holds VIEW-CHANGEs, which hold pre-prepares, prepares and checkpoints; no deeper. */
    private static final int MAX_NESTING = 2;

    private Frames() {}

    /**
     * True if {@code frame} carries bulk data (payloads, state or snapshot pages, certificates),
     * which a transport sends after the small frames agreement waits on: on a slow link a page of
     * megabytes must not hold up a COMMIT or a NEW-VIEW. Reads only the type byte; false for a
     * frame too short to have one.
     */
    public static boolean bulk(byte[] frame) {
        if (frame.length < HEADER_BYTES) {
            return false;
        }
        int type = Byte.toUnsignedInt(frame[1]);
        return type == Message.PAYLOADS || type == Message.STATE || type == Message.SNAPSHOT
                || type == Message.CERTIFICATES;
    }

    /**
     * True if {@code frame} asks for or carries what catching up needs (FETCH-STATE and STATE,
     * FETCH-PAYLOADS and PAYLOADS, FETCH-SNAPSHOT and SNAPSHOT, FETCH-CERTIFICATES and
     * CERTIFICATES): nothing in it is a promise of the sender's that its log must hold first (the
     * receiver checks what it carries against client signatures, a chain to a checkpoint 2f+1
     * replicas signed, or 2f+1 replicas' votes), so it need not wait behind the sender's log
     * ({@link OutputGate}). Reads only the type byte; false for a frame too short to have one.
     */
    public static boolean transfer(byte[] frame) {
        if (frame.length < HEADER_BYTES) {
            return false;
        }
        int type = Byte.toUnsignedInt(frame[1]);
        return type >= Message.FETCH_PAYLOADS && type <= Message.CERTIFICATES;
    }

    /** Encodes and signs {@code m} as replica {@code sender}. */
    public static byte[] encode(Message m, int sender, SigningKey key) {
        CanonicalEncoder e = new CanonicalEncoder(256).u8(FORMAT).u8(m.type()).u32(sender);
        MessageCodec.encodeBody(m, e);
        byte[] unsigned = e.toByteArray();
        byte[] signature = key.sign(Domain.RING_MESSAGE, unsigned);
        byte[] frame = Arrays.copyOf(unsigned, unsigned.length + signature.length);
        System.arraycopy(signature, 0, frame, unsigned.length, signature.length);
        return frame;
    }

    /** Encodes and signs, returning the message as a receiver would see it. */
    public static <M extends Message> Signed<M> sign(M m, int sender, SigningKey key) {
        return new Signed<>(sender, m, encode(m, sender, key));
    }

    /**
     * Checks a frame received from the network: format, type, size, sender in the ring, signature,
     * then the body (and the frames nested in it, each checked the same way).
     *
     * @throws FrameException naming what is wrong
     */
    public static Signed<?> decodeAndVerify(byte[] frame, RingConfig config) {
        return decode(frame, config, 0);
    }

    private static Signed<?> decode(byte[] frame, RingConfig config, int depth) {
        if (frame.length < MIN_BYTES) {
            throw new FrameException(FrameException.Reason.TOO_SHORT, "frame of " + frame.length
                    + " bytes is shorter than the " + MIN_BYTES + " of a header and a signature");
        }
        if (frame.length > RingConfig.MAX_FRAME_BYTES) {
            throw new FrameException(FrameException.Reason.TOO_LARGE, "frame of " + frame.length
                    + " bytes exceeds " + RingConfig.MAX_FRAME_BYTES);
        }
        int format = Byte.toUnsignedInt(frame[0]);
        if (format != FORMAT) {
            throw new FrameException(FrameException.Reason.FORMAT, "frame format " + format + " is not " + FORMAT);
        }
        int type = Byte.toUnsignedInt(frame[1]);
        if (type < Message.PRE_PREPARE || type > Message.MAX_TYPE) {
            throw new FrameException(FrameException.Reason.TYPE, "unknown message type " + type);
        }
        long sender = new CanonicalDecoder(frame, 2, 4).u32("sender");
        if (sender >= config.n()) {
            throw new FrameException(FrameException.Reason.SENDER, "sender " + sender + " is not in a ring of "
                    + config.n());
        }
        int signed = frame.length - PublicKey.SIGNATURE_LENGTH;
        byte[] signature = Arrays.copyOfRange(frame, signed, frame.length);
        if (!config.key((int) sender).verify(Domain.RING_MESSAGE, Arrays.copyOf(frame, signed), signature)) {
            throw new FrameException(FrameException.Reason.SIGNATURE, "signature on a type " + type
                    + " frame does not verify as replica " + sender + "'s");
        }
        return new Signed<>((int) sender, body(frame, type, config, depth), frame.clone());
    }

    /**
     * A certificate a peer sends: 2f+1 of this ring's signatures over a results root its leaf is
     * proven in, this epoch, a commit of exactly the version it is sent for. Checked here, on the
     * transport's threads, so the core only compares the VGUID with its own version's.
     */
    private static void checkCertificate(ostore.store.SnapshotPage.Attached a, RingConfig config) {
        ostore.crypto.Certificate c = ostore.crypto.Certificate.decode(a.certificate());
        c.check(config.keys(), config.f());
        if (c.statement().epoch() != config.epoch() || c.leaf().outcome() != ostore.crypto.ResultLeaf.COMMITTED
                || !c.leaf().aguid().equals(a.aguid()) || c.leaf().seq() != a.seq()) {
            throw new IllegalArgumentException("the certificate sent for version " + a.seq() + " of " + a.aguid()
                    + " certifies another version, epoch or outcome");
        }
    }

    private static Message body(byte[] frame, int type, RingConfig config, int depth) {
        CanonicalDecoder d = new CanonicalDecoder(frame, HEADER_BYTES, frame.length - MIN_BYTES);
        try {
            Message m = MessageCodec.decodeBody(type, d, nested -> {
                if (depth == MAX_NESTING) {
                    throw new IllegalArgumentException("frames nest deeper than " + MAX_NESTING);
                }
                return decode(nested, config, depth + 1);
            });
            if (m instanceof Message.Certificates c) {
                c.certificates().forEach(a -> checkCertificate(a, config));
            }
            return m;
        } catch (FrameException e) {
            throw new FrameException(e.reason(), "nested in a type " + type + " frame: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new FrameException(FrameException.Reason.BODY, "type " + type + " body: " + e.getMessage(), e);
        }
    }
}
