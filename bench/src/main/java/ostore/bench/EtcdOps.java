package ostore.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The etcd requests {@link EtcdDriver}'s workloads are made of, each checked, so that a run which
 * measured something other than it claims (a read of the wrong revision, a key gone missing, a
 * revision compacted away) fails instead of printing a row.
 */
final class EtcdOps {
    /** How long one request may take before the run is declared failed, not hung. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * One guarded put: whether it committed, and the key's mod_revision afterwards (the put's own
     * revision if it committed, else the one that beat it).
     */
    record Attempt(boolean committed, long modRevision) {}

    private EtcdOps() {}

    /** A key as text, for messages (every key the driver makes is UTF-8). */
    static String name(ByteSequence key) {
        return key.toString(StandardCharsets.UTF_8);
    }

    /** Waits (bounded) for a jetcd reply. */
    static <T> T await(CompletableFuture<T> reply) throws InterruptedException, ExecutionException, TimeoutException {
        return reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One Txn: If(mod_revision(key) == {@code seen}) Then(put key value) Else(get key). The Else
     * costs nothing when the compare holds and, when it fails, tells the caller the key's current
     * mod_revision in the same round trip, as ostore's aborted update carries the latest root.
     */
    static Attempt guardedPut(KV kv, ByteSequence key, long seen, ByteSequence value)
            throws InterruptedException, ExecutionException, TimeoutException {
        TxnResponse r = await(kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(seen)))
                .Then(Op.put(key, value, PutOption.DEFAULT))
                // Keys only: the abort learns the mod_revision, not the value (as ostore's learns the root).
                .Else(Op.get(key, GetOption.builder().withKeysOnly(true).build()))
                .commit());
        if (r.isSucceeded()) {
            // A Txn that wrote has the revision of its writes in its header: the key's new mod_revision.
            return new Attempt(true, r.getHeader().getRevision());
        }
        List<GetResponse> gets = r.getGetResponses();
        if (gets.size() != 1 || gets.getFirst().getKvs().size() != 1) {
            throw new IllegalStateException("guarded put on " + name(key) + " failed its compare (mod_revision " + seen
                    + ") and its Else(get) found no such key: " + gets.size() + " get response(s)");
        }
        long current = gets.getFirst().getKvs().getFirst().getModRevision();
        if (current == seen) {
            throw new IllegalStateException("etcd failed the compare mod_revision(" + name(key) + ") == " + seen
                    + " yet reports that very mod_revision");
        }
        return new Attempt(false, current);
    }

    /** The key as it is now (a linearizable Get); throws if it does not exist. */
    static KeyValue current(KV kv, ByteSequence key) throws InterruptedException, ExecutionException,
            TimeoutException {
        return get(kv, key, 0);
    }

    /**
     * Gets {@code key} as of {@code revision} (0: the latest), linearizably, as etcd does by
     * default. Throws if the key does not exist there, or, precisely, if etcd has compacted that
     * revision away: the benchmark's members run without auto-compaction, so that means something
     * compacted the store under the run and an old-version read cannot be measured.
     */
    static KeyValue get(KV kv, ByteSequence key, long revision) throws InterruptedException, ExecutionException,
            TimeoutException {
        GetResponse r;
        try {
            r = await(kv.get(key, revision == 0 ? GetOption.DEFAULT : GetOption.builder().withRevision(revision).build()));
        } catch (ExecutionException e) {
            if (compacted(e)) {
                throw new IllegalStateException("etcd has compacted revision " + revision + " of " + name(key)
                        + " away (" + e.getCause().getMessage() + "): old versions cannot be read; the members"
                        + " run without --auto-compaction-retention, so something compacted the store", e);
            }
            throw e;
        }
        if (r.getKvs().size() != 1) {
            throw new IllegalStateException("Get(" + name(key) + (revision == 0 ? "" : ", revision " + revision)
                    + ") found " + r.getKvs().size() + " keys, not 1");
        }
        return r.getKvs().getFirst();
    }

    /**
     * Whether etcd refused a read because its revision was compacted: gRPC OUT_OF_RANGE with
     * "etcdserver: mvcc: required revision has been compacted" (OUT_OF_RANGE alone also means a
     * revision from the future). jetcd 0.8 hands KV errors on as gRPC's own exception; its
     * {@link EtcdException} is checked too, should a later jetcd wrap them.
     */
    private static boolean compacted(ExecutionException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            boolean outOfRange = t instanceof EtcdException etcd
                    ? etcd.getErrorCode() == ErrorCode.OUT_OF_RANGE
                    : (t instanceof StatusRuntimeException || t instanceof StatusException)
                            && Status.fromThrowable(t).getCode() == Status.Code.OUT_OF_RANGE;
            if (outOfRange && String.valueOf(t.getMessage()).contains("compacted")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that {@code read} is the put the client made: its key, mod_revision, version (etcd's
     * per-key count of puts) and value length.
     */
    static void check(KeyValue read, ByteSequence key, long modRevision, long version, int valueBytes) {
        if (!read.getKey().equals(key) || read.getModRevision() != modRevision || read.getVersion() != version
                || read.getValue().size() != valueBytes) {
            throw new IllegalStateException("wrong read: expected " + name(key) + " at mod_revision " + modRevision
                    + ", version " + version + ", " + valueBytes + " bytes; got " + name(read.getKey()) + " at mod_revision "
                    + read.getModRevision() + ", version " + read.getVersion() + ", " + read.getValue().size()
                    + " bytes");
        }
    }
}
