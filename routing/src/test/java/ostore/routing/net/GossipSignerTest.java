package ostore.routing.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import org.junit.jupiter.api.Test;

class GossipSignerTest {
    private static final SigningKey A = Cluster.key("a");
    private static final SigningKey B = Cluster.key("b");
    private static final byte[] MESSAGE = "an advertisement".getBytes(StandardCharsets.UTF_8);

    /**
     * The local tags sign exactly as crypto's Domain does (tag, zero byte, message), so moving the
     * tags into Domain later changes no signature.
     */
    @Test
    void theConstructionIsCryptosDomainSeparation() {
        for (Domain d : new Domain[] {Domain.RING_MESSAGE, Domain.ARCHIVE_OBJECT}) {
            assertArrayEquals(A.sign(d, MESSAGE), GossipSigner.signTagged(A, d.tag(), MESSAGE), d.tag());
        }
        assertArrayEquals(GossipSigner.signTagged(A, GossipSigner.GOSSIP_TAG, MESSAGE), new GossipSigner(A).signGossip(MESSAGE));
    }

    @Test
    void gossipSignaturesVerifyOnlyUnderTheSignersKeyAndTag() {
        byte[] sig = new GossipSigner(A).signGossip(MESSAGE);
        assertEquals(GossipSigner.SIGNATURE_LENGTH, sig.length);
        assertTrue(GossipSigner.verifyGossip(A.publicKey(), MESSAGE, sig));
        assertFalse(GossipSigner.verifyGossip(B.publicKey(), MESSAGE, sig));
        byte[] other = MESSAGE.clone();
        other[0] ^= 1;
        assertFalse(GossipSigner.verifyGossip(A.publicKey(), other, sig));
        assertFalse(GossipSigner.verifyGossip(A.publicKey(), MESSAGE, Arrays.copyOf(sig, 63)));
        assertFalse(GossipSigner.verifyGossip(A.publicKey(), MESSAGE, null));
        // Signed under another tag (here crypto's ring-message domain), it is not a gossip signature.
        assertFalse(GossipSigner.verifyGossip(A.publicKey(), MESSAGE, A.sign(Domain.RING_MESSAGE, MESSAGE)));
    }

    @Test
    void pointerSignaturesBindGuidHolderRootAndVerb() {
        Hash32 g = Guids.guid("g");
        NodeId holder = Guids.node("holder");
        NodeId root = Guids.node("root");
        byte[] sig = new GossipSigner(A).signPointer(g, holder, root, true);
        assertTrue(GossipSigner.verifyPointer(A.publicKey(), g, holder, root, true, sig));
        assertFalse(GossipSigner.verifyPointer(A.publicKey(), g, holder, root, false, sig));
        assertFalse(GossipSigner.verifyPointer(A.publicKey(), g, holder, Guids.node("other root"), true, sig));
        assertFalse(GossipSigner.verifyPointer(A.publicKey(), Guids.guid("h"), holder, root, true, sig));
        assertFalse(GossipSigner.verifyPointer(A.publicKey(), g, root, holder, true, sig));
        assertFalse(GossipSigner.verifyPointer(B.publicKey(), g, holder, root, true, sig));
        // Not a gossip signature either, over the same bytes.
        assertFalse(GossipSigner.verifyGossip(A.publicKey(), GossipSigner.pointerMessage(g, holder, root, true), sig));
    }

    /** The pointer message layout is part of the format (docs/protocol.md). */
    @Test
    void pointerMessageIsPinned() {
        Hash32 g = Hash32.of(filled(1));
        NodeId holder = NodeId.of(filled(2));
        NodeId root = NodeId.of(filled(3));
        HexFormat hex = HexFormat.of();
        assertEquals("01".repeat(32) + "02".repeat(32) + "03".repeat(32) + "01",
                hex.formatHex(GossipSigner.pointerMessage(g, holder, root, true)));
        assertEquals("01".repeat(32) + "02".repeat(32) + "03".repeat(32) + "00",
                hex.formatHex(GossipSigner.pointerMessage(g, holder, root, false)));
    }

    private static byte[] filled(int b) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) b);
        return bytes;
    }
}
