package ostore.store;

import java.util.Objects;
import ostore.crypto.Vguid;

/** Which version of an object to read. */
public sealed interface Selector {
    record Latest() implements Selector {}

    record BySeq(long seq) implements Selector {}

    record ByVguid(Vguid vguid) implements Selector {
        public ByVguid {
            Objects.requireNonNull(vguid, "vguid");
        }
    }

    /** The latest version whose timestamp is at or before {@code timestampMicros}. */
    record AsOf(long timestampMicros) implements Selector {}
}
