package ostore.client;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import ostore.api.Protos;
import ostore.api.v1.VersionSelector;
import ostore.crypto.Vguid;

/** Factories for {@link VersionSelector}: which version of an object a read asks for. */
public final class Selectors {
    private Selectors() {}

    public static VersionSelector latest() {
        return VersionSelector.newBuilder().setLatest(true).build();
    }

    /** Version number {@code seq}; the first version is 1. */
    public static VersionSelector seq(long seq) {
        if (seq < 1) {
            throw new IllegalArgumentException("seq (" + seq + ") must be >= 1");
        }
        return VersionSelector.newBuilder().setSeq(seq).build();
    }

    public static VersionSelector vguid(Vguid vguid) {
        Objects.requireNonNull(vguid, "vguid");
        return VersionSelector.newBuilder().setVguid(Protos.toByteString(vguid)).build();
    }

    /** The latest version whose timestamp is at or before {@code time}, to the microsecond. */
    public static VersionSelector asOf(Instant time) {
        Objects.requireNonNull(time, "time");
        long micros;
        try {
            micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("time (" + time + ") is outside the int64 microsecond range", e);
        }
        return VersionSelector.newBuilder().setAsOfMicros(micros).build();
    }
}
