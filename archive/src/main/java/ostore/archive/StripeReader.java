package ostore.archive;

import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;

/**
 * Reads byte ranges of one manifest's archived stream, decoding one stripe at a time and keeping
 * only the last, so sequential reads decode each stripe once and memory stays one stripe.
 */
final class StripeReader {
    private final Manifest manifest;
    private final FragmentFetcher fetcher;
    private final FetchLog log;
    private int cached = -1;
    private byte[][] shards;
    private int shardLength;

    StripeReader(Manifest manifest, FragmentFetcher fetcher, FetchLog log) {
        this.manifest = manifest;
        this.fetcher = fetcher;
        this.log = log;
    }

    /** {@code length} bytes from {@code offset} of the archived stream. */
    byte[] read(long offset, int length) throws ArchiveException {
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
            System.arraycopy(shards[shard], pos, out, done, n);
            done += n;
        }
        return out;
    }

    private void load(int stripe) throws ArchiveException {
        if (stripe == cached) {
            return;
        }
        CodeParams code = manifest.code();
        FragmentFetcher.StripeShards s = fetcher.fetch(manifest, stripe, code.dataShards());
        if (s.good < code.dataShards()) {
            throw new TooFewFragmentsException(manifest.aguid(), manifest.seq(), stripe, s.good, code.dataShards(),
                    s.corrupt + " corrupt, nodes down " + log.nodesDown());
        }
        fetcher.decodeMissingData(code, s);
        shards = s.shards;
        shardLength = s.shardLength;
        cached = stripe;
    }
}
