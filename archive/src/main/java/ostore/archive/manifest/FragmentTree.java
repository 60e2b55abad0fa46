package ostore.archive.manifest;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;

/**
 * The Merkle root over a manifest's fragment names, stripe by stripe, shard by shard. Leaves are the
 * names themselves (already domain-separated object hashes); pairs hash under
 * {@link Domain#ARCHIVE_FRAGMENT_NODE}, an odd last node is carried up; no fragments give
 * {@code H(ARCHIVE_FRAGMENT_NODE)} of no bytes. It lets a single fragment be proven part of a
 * certified version without shipping the whole manifest.
 */
public final class FragmentTree {
    private FragmentTree() {}

    public static Hash32 root(List<Hash32> names) {
        if (names.isEmpty()) {
            return Hashing.hash(Domain.ARCHIVE_FRAGMENT_NODE, new byte[0]);
        }
        List<Hash32> level = names;
        while (level.size() > 1) {
            List<Hash32> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                next.add(Hashing.hashPair(Domain.ARCHIVE_FRAGMENT_NODE, level.get(i), level.get(i + 1)));
            }
            if (level.size() % 2 == 1) {
                next.add(level.getLast());
            }
            level = next;
        }
        return level.getFirst();
    }
}
