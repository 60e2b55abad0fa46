package ostore.store;

import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;

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

    /**
     * The part of {@link #precheck} that does not depend on the objects' state, and so that a
     * ring replica may answer before the update is ordered whatever it has yet to execute: the
     * state-free checks ({@link UpdateValidator}: limits, a well-formed creation) and the nonce (a
     * nonce already used is answered as {@link #precheck} answers it). It does not run the
     * engine: the object's version, ACL and blocks are not read.
     */
    Optional<Outcome.Rejected> precheckWithoutState(AuthenticatedUpdate update);

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

    /**
     * Stored versions that have no certificate yet, at most {@code max} of them, in no promised
     * order. Every version is written with a durable mark, in the same atomic write, and attaching
     * its certificate clears the mark in one write with the certificate; so after any crash this
     * lists exactly the versions whose certificate the store does not hold, and the ring can
     * gather them again.
     *
     * @throws IllegalArgumentException if max < 1
     */
    default List<Uncertified> uncertified(int max) {
        return uncertified(null, max);
    }

    /**
     * As {@link #uncertified(int)}, but only versions after {@code after} (by aguid, then seq; null:
     * from the first), in that order: a caller that cannot settle the first ones pages on past them.
     */
    List<Uncertified> uncertified(Uncertified after, int max);

    /** How many stored versions have no certificate: the size of what {@link #uncertified} lists. */
    long uncertifiedCount();

    /**
     * The color's store digest: a chain over every record its applies created (history entries,
     * versions, nonce refusals; not blocks, which versions name by hash, and not certificates,
     * which differ between replicas), a function of the applied sequence alone, so every correct
     * replica that applied the same updates at the same positions holds the same digest. All
     * zeros before the color's first record.
     *
     * @throws IllegalArgumentException if the color is out of range
     */
    Hash32 storeDigest(int color);

    /**
     * Records of {@code color} created at positions in ({@code afterPosition}, {@code upToPosition}],
     * in order, about {@code maxBytes} at most (always at least one entry if there is one), with
     * the blocks they first stored. Records are never changed once written, so a page of an old
     * position stays consistent while applies go on.
     *
     * @throws IllegalArgumentException if the color is out of range or maxBytes < 1
     */
    SnapshotPage snapshot(int color, long afterPosition, long upToPosition, int maxBytes);

    /**
     * Starts rebuilding {@code color} from snapshot pages: durably marks the color as installing,
     * then removes every record of the color (blocks stay: they are content-addressed and may be
     * shared) and resets its applied position to -1 and its digest to zero. A crash at any point
     * leaves the mark, so {@link #installing} tells the caller to start over.
     */
    void clearColor(int color);

    /** True while {@code color} is between {@link #clearColor} and {@link #finishInstall}. */
    boolean installing(int color);

    /**
     * Writes one snapshot page's entries verbatim into {@code color}, which must be installing,
     * advancing its applied position and digest as the applies that created them did. Every entry
     * is checked first (format, positions increasing above the applied one, history indexes and
     * versions in order, nonces unused, blocks present or supplied with matching BGUIDs); a page
     * that fails any check writes nothing.
     *
     * @throws IllegalArgumentException naming the first problem, if the page is refused
     * @throws IllegalStateException if the color is not installing
     */
    void install(int color, SnapshotPage page);

    /** Makes the installed state durable and then durably clears the installing mark of {@code color}. */
    void finishInstall(int color);

    /**
     * Decides whether certificate bytes prove that version {@code seq} of {@code aguid} committed, and
     * with which VGUID. The store cannot decide it: the certificate's format and the ring's keys
     * belong to the ring.
     */
    @FunctionalInterface
    interface CertificateCheck {
        /**
         * @return the certified VGUID
         * @throws IllegalArgumentException naming what does not hold
         */
        Vguid certifiedVguid(Aguid aguid, long seq, byte[] certificate);
    }

    /**
     * Stores a block's bytes under their BGUID ahead of the {@link #installArchived archived version}
     * that names it, so a restore streams a large version block by block. Blocks are
     * content-addressed and never rewritten, so staging one already stored changes nothing, and one
     * that no version names (a restore that failed part way) is never read. Durable after the next
     * {@link #sync()}.
     *
     * @return the block's BGUID
     * @throws IllegalArgumentException if {@code bytes} is null or longer than the store's block limit
     */
    Bguid stageBlock(byte[] bytes);

    /**
     * Installs a certified version restored from the deep archive into {@code color}, for a ring
     * whose every copy of the version was lost. Like an apply it writes the version and its indexes
     * (seq, VGUID, as-of time), journals one entry at {@code position} and chains it into the color's
     * store digest, in one atomic write; unlike an apply it writes no history entry and burns no
     * nonce, because the archive keeps neither. Then the certificate is attached. So the same
     * versions installed in the same order at the same positions give every store the same records
     * and the same {@link #storeDigest}, and later updates continue from the version (seq + 1).
     *
     * <p>Idempotent: a version already stored with the same VGUID changes nothing (but gets its
     * certificate if a crash lost it) and returns false, without using {@code position}; so a
     * rebuild that crashed is finished by running it again. Checked before anything is written: the
     * certificate verifies and certifies this root's VGUID, the seq is the object's next, the root's
     * predecessor is the stored latest version, its timestamp is not before that one's, and every
     * block it names is stored.
     *
     * @param position the journal position, above {@link #appliedPosition(int) appliedPosition(color)}
     * @return true if installed, false if the version was already stored
     * @throws IllegalArgumentException naming the first check that failed
     * @throws IllegalStateException if the store holds version seq with another VGUID, or the position
     *     does not exceed the color's applied position
     */
    boolean installArchived(ArchivedVersion version, int color, long position, CertificateCheck check);

    /** Makes everything applied and attached so far durable (a checkpoint); after it the log may be trimmed. */
    void sync();

    @Override
    void close();
}
