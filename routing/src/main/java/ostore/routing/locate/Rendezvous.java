package ostore.routing.locate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;

/**
 * The fallback's placement rule: rendezvous (highest-random-weight) hashing of a GUID over the
 * membership. Member {@code n} weighs the first 8 bytes (unsigned) of
 * {@code SHA-256("ostore/routing-rendezvous/v1" ‖ 0x00 ‖ guid ‖ n)}; members ranked by falling
 * weight, ties to the lower id. The first {@link RoutingParams#pointerReplicas()} are the GUID's
 * roots, which keep pointers to its holders.
 *
 * <p>Why rendezvous rather than Plaxton prefix routing: ostore's membership is configuration every
 * node knows, so a node can compute a GUID's roots itself and reach them in one direct message
 * instead of O(log n) overlay hops; a membership change moves only the GUIDs the changed node
 * wins or held; and the archive already places fragments by the same kind of rule. Plaxton routing
 * earns its complexity when no node can know the membership, which is not ostore's case. The cost
 * is one hash per member per ranking, about a millisecond at a thousand members.
 *
 * <p>The tag is written as in crypto's {@code Domain} (ASCII, then a zero byte) and is part of the
 * format: renaming it moves every root.
 */
public final class Rendezvous {
    public static final String TAG = "ostore/routing-rendezvous/v1";
    private static final byte[] PREFIX = Arrays.copyOf(TAG.getBytes(StandardCharsets.US_ASCII), TAG.length() + 1);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });

    private Rendezvous() {}

    /** {@code node}'s weight for {@code guid}, as an unsigned 64-bit number held in a long. */
    public static long weight(Hash32 guid, NodeId node) {
        MessageDigest d = SHA256.get();
        d.reset();
        d.update(PREFIX);
        d.update(guid.toBytes());
        d.update(node.toBytes());
        byte[] h = d.digest();
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = w << 8 | (h[i] & 0xff);
        }
        return w;
    }

    /** The first {@code limit} members for {@code guid}, best first. */
    public static List<NodeId> rank(Hash32 guid, Collection<NodeId> members, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit (" + limit + ") must be >= 0");
        }
        record Weighed(NodeId node, long weight) {}
        List<Weighed> all = new ArrayList<>(members.size());
        for (NodeId n : members) {
            all.add(new Weighed(n, weight(guid, n)));
        }
        all.sort(Comparator.<Weighed>comparingLong(w -> w.weight ^ Long.MIN_VALUE).reversed()
                .thenComparing(Weighed::node));
        return all.subList(0, Math.min(limit, all.size())).stream().map(Weighed::node).toList();
    }
}
