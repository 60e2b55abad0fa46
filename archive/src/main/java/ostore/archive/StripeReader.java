package ostore.archive;

import java.io.InterruptedIOException;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;

/**
 * Reads byte ranges of one manifest's archived stream, decoding one stripe at a time and keeping
 * only the last, so sequential reads decode each stripe once and memory stays one stripe. When it
 * loads a stripe it has the fetcher read the next one ahead ({@link FragmentFetcher#readAhead}),
 * so fetching, hashing and decoding stripe s + 1 overlap the caller's work on stripe s; a read
 * elsewhere drops that read-ahead.
 */
final class StripeReader {
    private final Manifest manifest;
    private final FragmentFetcher fetcher;
    private final FetchLog log;
    private int cached = -1;
    private byte[][] shards;
    private int shardLength;
    private FragmentFetcher.Pending next;

    StripeReader(Manifest manifest, FragmentFetcher fetcher, FetchLog log) {
        this.manifest = manifest;
        this.fetcher = fetcher;
        this.log = log;
    }

    /** {@code length} bytes from {@code offset} of the archived stream. */
    byte[] read(long offset, int length) throws ArchiveException, InterruptedIOException {
        // offset + length could overflow for an offset near 2^63 (a forged row): compare without adding.
        if (offset < 0 || length < 0 || offset > manifest.archivedBytes() - length) {
            throw new ArchiveException("bytes [" + offset + ", +" + length + ") lie past the "
                    + manifest.archivedBytes() + " bytes archived with " + manifest.aguid() + " seq " + manifest.seq());
        }
        CodeParams code = manifest.code();
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long at = offset + done;
            int stripe = (int) (at / code.stripeBytes());
            load(stripe);
            int within = (int) (at - (long) stripe * code.stripeBytes());
            int shard = within / shardLength;
            int pos = within % shardLength;
            int n = Math.min(length - done, shardLength - pos);
            System.arraycopy(shards[shard], FragmentFetcher.OFFSET + pos, out, done, n);
            done += n;
        }
        return out;
    }

    private void load(int stripe) throws ArchiveException, InterruptedIOException {
        if (stripe == cached) {
            return;
        }
        CodeParams code = manifest.code();
        // The stripe held so far is not needed any more: let it go before the next one arrives.
        shards = null;
        cached = -1;
        FragmentFetcher.StripeShards s = fetcher.take(next, manifest, stripe);
        next = null;
        if (s.good < code.dataShards()) {
            throw new TooFewFragmentsException(manifest.aguid(), manifest.seq(), stripe, s.good, code.dataShards(),
                    s.corrupt + " corrupt, nodes down " + log.nodesDown());
        }
        shards = s.shards;
        shardLength = s.shardLength;
        cached = stripe;
        if (stripe + 1 < manifest.stripes().size()) {
            next = fetcher.readAhead(manifest, stripe + 1);
        }
    }
}
