package ostore.ring.bft;

import java.util.Objects;

/**
 * A message whose frame was decoded and whose signature verified as replica {@code sender}'s.
 * {@code frame} is the exact signed bytes, kept so the message can be forwarded as proof (in
 * certificates, VIEW-CHANGE and NEW-VIEW) and re-verified by anyone.
 */
public record Signed<M extends Message>(int sender, M message, byte[] frame) {
    public Signed {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(frame, "frame");
    }

    @Override
    public byte[] frame() {
        return frame.clone();
    }

    /** The frame without a copy, for re-encoding into another frame; callers must not change it. */
    byte[] frameUnsafe() {
        return frame;
    }
}
