package ostore.routing.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signatures on the routing messages that change a node's state: gossip advertisements and
 * pointer publishes. Each is pure Ed25519 (RFC 8032) by the sender's member key over a domain tag,
 * one zero byte, then the message, exactly as {@link SigningKey#sign} does for a crypto
 * {@code Domain}; the tags ({@value #GOSSIP_TAG}, {@value #POINTER_TAG}) are defined here because
 * crypto's {@code Domain} has no routing constants yet. When it gets them with these same tags,
 * {@code SigningKey.sign(Domain.X, m)} produces byte-identical signatures and this class shrinks to
 * two calls; {@code GossipSignerTest} pins the construction against {@link SigningKey} for that.
 *
 * <p>Why a signature rather than a per-pair MAC: the member table already holds one Ed25519 key
 * per node, so signatures need no key agreement (crypto has no X25519, and converting Ed25519 keys
 * by hand is the kind of code not to write here), no per-pair secret state, and they are
 * transferable: a node can show anyone what a neighbour advertised, which is the evidence needed
 * against a member that advertises all-ones filters. The price, a sign per advertisement sent and
 * a verify per one received (about 0.2 ms each at 4 KiB), is paid once per neighbour per gossip
 * round, far below a round's period.
 */
public final class GossipSigner {
    /** The tag of advertisement signatures; part of the format, never rename it. */
    public static final String GOSSIP_TAG = "ostore/routing-gossip/v1";
    /** The tag of pointer-publish signatures; part of the format, never rename it. */
    public static final String POINTER_TAG = "ostore/routing-pointer/v1";
    public static final int SIGNATURE_LENGTH = PublicKey.SIGNATURE_LENGTH;

    private static final byte[] GOSSIP_PREFIX = prefix(GOSSIP_TAG);
    private static final byte[] POINTER_PREFIX = prefix(POINTER_TAG);

    private final Ed25519PrivateKeyParameters key;
    private final PublicKey publicKey;

    /** A signer for {@code key}; the seed is copied once, here. */
    public GossipSigner(SigningKey key) {
        Objects.requireNonNull(key, "key");
        this.key = new Ed25519PrivateKeyParameters(key.seed(), 0);
        this.publicKey = key.publicKey();
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Signs an encoded advertisement ({@code GossipCodec} bytes). */
    public byte[] signGossip(byte[] advertisement) {
        return sign(GOSSIP_PREFIX, advertisement);
    }

    /** Signs a pointer publish from this (holder) node to {@code root}. */
    public byte[] signPointer(Hash32 guid, NodeId holder, NodeId root, boolean holds) {
        return sign(POINTER_PREFIX, pointerMessage(guid, holder, root, holds));
    }

    public static boolean verifyGossip(PublicKey sender, byte[] advertisement, byte[] signature) {
        return verify(sender, GOSSIP_PREFIX, advertisement, signature);
    }

    public static boolean verifyPointer(PublicKey holderKey, Hash32 guid, NodeId holder, NodeId root, boolean holds,
            byte[] signature) {
        return verify(holderKey, POINTER_PREFIX, pointerMessage(guid, holder, root, holds), signature);
    }

    /** {@code guid ‖ holder ‖ root ‖ (1 if holds else 0)}: what a pointer signature covers after its tag. */
    static byte[] pointerMessage(Hash32 guid, NodeId holder, NodeId root, boolean holds) {
        byte[] m = new byte[3 * Hash32.LENGTH + 1];
        System.arraycopy(guid.toBytes(), 0, m, 0, Hash32.LENGTH);
        System.arraycopy(holder.toBytes(), 0, m, Hash32.LENGTH, Hash32.LENGTH);
        System.arraycopy(root.toBytes(), 0, m, 2 * Hash32.LENGTH, Hash32.LENGTH);
        m[3 * Hash32.LENGTH] = (byte) (holds ? 1 : 0);
        return m;
    }

    /** Signs {@code tag ‖ 0x00 ‖ message} under an arbitrary tag; for the test that pins the construction. */
    static byte[] signTagged(SigningKey key, String tag, byte[] message) {
        return new GossipSigner(key).sign(prefix(tag), message);
    }

    private byte[] sign(byte[] prefix, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(prefix, 0, prefix.length);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    private static boolean verify(PublicKey key, byte[] prefix, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(key.toBytes(), 0));
        verifier.update(prefix, 0, prefix.length);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    private static byte[] prefix(String tag) {
        return Arrays.copyOf(tag.getBytes(StandardCharsets.US_ASCII), tag.length() + 1);
    }

    @Override
    public String toString() {
        return "GossipSigner(" + publicKey + ")";
    }
}
