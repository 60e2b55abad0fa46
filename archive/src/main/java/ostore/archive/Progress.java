package ostore.archive;

/**
 * Told how far an archive write or a restore has got, so a CLI can draw a progress bar. Called on
 * the working thread after every block or stripe; keep it cheap.
 */
@FunctionalInterface
public interface Progress {
    /** Reports nothing. */
    Progress NONE = (done, total) -> {};

    /** @param doneBytes bytes handled so far, never more than {@code totalBytes} */
    void update(long doneBytes, long totalBytes);
}
