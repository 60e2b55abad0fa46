package ostore.store;

import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;

/**
 * Durable version streams. {@link #apply} is deterministic: the same updates, timestamps, colors
 * and positions in the same order give byte-identical versions on every replica. Reads never see
 * a half-applied update.
 *
 * <p>Colors: the ring orders and executes each color of objects independently (an object's color
 * is the unsigned first byte of its AGUID modulo the ring's color count), so the store keeps an
 * applied position per color. Threads: {@link #apply} may run concurrently for different colors,
 * with at most one call per color at a time. That is safe because every object belongs to exactly
 * one color, so concurrent calls never touch the same object, and blocks are content-addressed, so
 * two colors storing the same block store the same bytes. The caller must therefore pass every
 * update of an object under the same color; the store cannot check it, as it does not know the
 * color count. Every other call may run concurrently with anything.
 */
public interface VersionStore extends AutoCloseable {
    /** Colors are {@code 0 .. MAX_COLORS - 1}. */
    int MAX_COLORS = 256;

    /**
     * Executes one ordered update. Every ordered update burns its (aguid, writer, nonce): a second
     * update with the same nonce and digest returns the first one's outcome and changes nothing,
     * whether that was a commit, an abort or a {@link Outcome.Rejected rejection}; the same nonce
     * with another digest is {@link Outcome.Rejection#NONCE_REUSED}. A rejection enters no
     * history, only the nonce index.
     *
     * @param timestampMicros the ordering layer's timestamp, stored in the version root
     * @param color the color of the update's object, in {@code 0 .. MAX_COLORS - 1}
     * @param position the update's position in the color's log; must exceed
     *     {@link #appliedPosition(int) appliedPosition(color)}
     * @throws IllegalArgumentException if the update is null or the color out of range
     * @throws IllegalStateException if the position does not exceed the color's applied position
     */
    Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position);

    /**
     * The position of the last update applied in {@code color}, or -1 if none: that color's replay
     * resumes after it.
     *
     * @throws IllegalArgumentException if the color is out of range
     */
    long appliedPosition(int color);

    /**
     * Checks what {@link #apply} would reject, without changing anything; empty if it may go on. A
     * rejection here burns no nonce, since the update is not ordered; a nonce an earlier apply
     * refused is answered with that refusal.
     */
    Optional<Outcome.Rejected> precheck(AuthenticatedUpdate update);

    Optional<StoredVersion> read(Aguid aguid, Selector selector);

    Optional<byte[]> block(Bguid bguid);

    /** History entries with index in [fromIndex, fromIndex + limit), in order; limit 0 means all. */
    List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit);

    /**
     * The recorded outcome of (aguid, writer, nonce), if that update committed or aborted; empty
     * also for a nonce burned by a rejection, which is not in history ({@link #precheck} answers it).
     */
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
