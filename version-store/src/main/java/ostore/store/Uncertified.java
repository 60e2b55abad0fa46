package ostore.store;

import java.util.Objects;
import ostore.crypto.Aguid;

/**
 * A stored version that has no ring certificate yet: what the ring must still gather for it.
 *
 * @param color the color whose apply (or snapshot install, or archive install) stored it
 * @param position the position in that color at which it was stored; the ring packs its batch
 *     seqno into it
 */
public record Uncertified(Aguid aguid, long seq, int color, long position) {
    public Uncertified {
        Objects.requireNonNull(aguid, "aguid");
        if (seq < 1 || color < 0 || color >= VersionStore.MAX_COLORS || position < 0) {
            throw new IllegalArgumentException("seq (" + seq + ") must be >= 1, color (" + color + ") in 0.."
                    + (VersionStore.MAX_COLORS - 1) + " and position (" + position + ") >= 0");
        }
    }
}
