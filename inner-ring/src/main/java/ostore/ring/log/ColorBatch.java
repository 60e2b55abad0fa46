package ostore.ring.log;

import java.util.List;
import java.util.Objects;

/** Records to append to one color, in order; one element of an atomic {@link LogStore#append}. */
public record ColorBatch(int color, List<byte[]> records) {
    public ColorBatch {
        Objects.requireNonNull(records, "records");
        records = List.copyOf(records);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a color batch must hold at least one record (color " + color + ")");
        }
    }

    long payloadBytes() {
        long sum = 0;
        for (byte[] r : records) {
            sum += r.length;
        }
        return sum;
    }
}
