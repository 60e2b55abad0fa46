package ostore.store;

import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;

/**
 * Durable version streams. {@link #apply} is deterministic: the same updates, timestamps and
 * positions in the same order give byte-identical versions on every replica. Reads never see a
 * half-applied update.
 */
public interface VersionStore extends AutoCloseable {
    /**
     * Executes one ordered update. A second update with the same (aguid, writer, nonce) and digest
     * returns the first one's outcome and changes nothing; the same nonce with another digest is
     * {@link Outcome.Rejection#NONCE_REUSED}.
     *
     * @param timestampMicros the ordering layer's timestamp, stored in the version root
     * @param logPosition the update's position in the shared log; must exceed {@link #appliedPosition()}
     */
    Outcome apply(AuthenticatedUpdate update, long timestampMicros, long logPosition);

    /** The log position of the last applied update, or -1 if none: replay resumes after it. */
    long appliedPosition();

    /** Checks what {@link #apply} would reject, without changing anything; empty if it may go on. */
    Optional<Outcome.Rejected> precheck(AuthenticatedUpdate update);

    Optional<StoredVersion> read(Aguid aguid, Selector selector);

    Optional<byte[]> block(Bguid bguid);

    /** History entries with index in [fromIndex, fromIndex + limit), in order; limit 0 means all. */
    List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit);

    /** The recorded outcome of (aguid, writer, nonce), if that update was executed. */
    Optional<HistoryEntry> findByNonce(Aguid aguid, PublicKey writer, long nonce);

    /**
     * Keeps the inner ring's certificate for version {@code seq} of {@code aguid}: opaque bytes
     * whose format belongs to the ring (2f+1 signatures over aguid, seq, VGUID, timestamp and
     * view). Attaching again replaces the certificate, since a later one may carry more
     * signatures. Durable after the next {@link #sync()}, like an applied update.
     *
     * @throws IllegalArgumentException if the version does not exist or the certificate is empty
     */
    void attachCertificate(Aguid aguid, long seq, byte[] certificate);

    /** The certificate last attached to version {@code seq} of {@code aguid}, if any. */
    Optional<byte[]> certificate(Aguid aguid, long seq);

    /** Makes everything applied and attached so far durable (a checkpoint); after it the log may be trimmed. */
    void sync();

    @Override
    void close();
}
