package ostore.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import ostore.api.Protos;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.HistoryRequest;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.VersionSelector;
import ostore.api.v1.WatchRequest;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;

/**
 * A client of ostore, writing as one key: either of one server, or of an inner ring of 3f+1
 * replicas described by a {@link RingSpec}. Every answer is verified before it is returned (see
 * {@link UpdateReplyVerifier}, {@link ReadVerifier}, {@link WatchVerifier}); every failure is an
 * {@link OstoreException}. Thread-safe: calls share the channels.
 *
 * <p>Against a ring, an update goes to every replica and is accepted once f+1 of them sign the same
 * result ({@link RingUpdater}); a read is accepted from one replica only with a ring certificate
 * (2f+1 signatures) naming the version it returns, and otherwise tried at the next replica. History
 * and watches come from one replica and are checked as against a single server.
 *
 * <p>No call waits without limit on a server that accepted it and fell silent: an update attempt
 * has the policy's {@link RingPolicy#attemptTimeout()} as its deadline, and a read or history
 * stream fails when the next message takes longer than that (per message, so large versions still
 * stream). Against a ring, such a read or history goes on to the next replica. A watch is the
 * exception: silence is its normal state while no version commits, and the protocol has no
 * heartbeat to tell a quiet replica from a hung one.
 */
public final class OstoreClient implements AutoCloseable {
    /** Inbound message limit of channels made by {@link #connect}: above any block plus framing. */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;
    /**
     * Request header a ring client sets on every update it sends: it writes to all replicas itself,
     * so the replica need not forward the update to its peers, as it does for a client that talks
     * to it alone.
     */
    public static final String WRITE_ALL_HEADER = "ostore-write-all";
    // The largest array a JVM reliably allocates; bigger versions must be read with readTo.
    private static final long MAX_IN_MEMORY_BYTES = Integer.MAX_VALUE - 8;
    private static final long CLOSE_GRACE_SECONDS = 5;
    /** First pause between rounds of reads; doubles each round, capped at the attempt timeout. */
    private static final long READ_BACKOFF_MILLIS = 20;

    /** Read refusals that every correct, up-to-date replica would give alike. */
    private static final Set<Status.Code> DEFINITE_READ_ANSWERS =
            java.util.EnumSet.of(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT, Status.Code.OUT_OF_RANGE);

    private final List<ManagedChannel> channels;
    private final boolean ownsChannels;
    private final SigningKey key;
    private final List<ObjectStoreGrpc.ObjectStoreBlockingStub> stubs;
    private final RingSpec ring;
    private final RingPolicy policy;
    private final RingUpdater updater;
    private final CertificateCheck certificates;
    private final AtomicInteger nextReplica = new AtomicInteger();
    /** Objects {@link #seen} remembers at most; the least recently used are forgotten first. */
    static final int SEEN_OBJECTS = 65_536;
    /**
     * Per object, the highest seq this client has seen committed, aborted against or read (ring
     * mode). f+1 replicas answering an update leave up to 2f still executing it, and a lagging
     * replica serves an older certified version: a read of the latest version passes over a replica
     * whose latest is below this, so this client reads its own writes and its reads never go back.
     */
    private final Map<Aguid, Long> seen = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Aguid, Long> eldest) {
                    return size() > SEEN_OBJECTS;
                }
            });

    /** Uses {@code channel} without owning it: {@link #close()} leaves it open. */
    public OstoreClient(ManagedChannel channel, SigningKey key) {
        this(List.of(Objects.requireNonNull(channel, "channel")), null, RingPolicy.DEFAULT, key, false);
    }

    private OstoreClient(List<ManagedChannel> channels, RingSpec ring, RingPolicy policy, SigningKey key,
            boolean ownsChannels) {
        this.channels = List.copyOf(channels);
        this.key = Objects.requireNonNull(key, "key");
        this.ownsChannels = ownsChannels;
        this.ring = ring;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.stubs = this.channels.stream().map(ObjectStoreGrpc::newBlockingStub).toList();
        if (ring != null) {
            if (channels.size() != ring.n()) {
                throw new IllegalArgumentException("a ring of " + ring.n() + " replicas needs as many channels, not "
                        + channels.size());
            }
            Metadata writeAll = new Metadata();
            writeAll.put(Metadata.Key.of(WRITE_ALL_HEADER, Metadata.ASCII_STRING_MARSHALLER), "1");
            this.updater = new RingUpdater(ring, this.channels.stream().map(c -> ObjectStoreGrpc.newStub(c)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(writeAll))).toList(), policy);
            this.certificates = new CertificateCheck(ring);
        } else {
            this.updater = null;
            this.certificates = null;
        }
    }

    /**
     * Opens a plaintext channel to {@code target} ({@code "host:port"}), owned by the client.
     * Plaintext is acceptable because nothing read is trusted unverified and updates are signed;
     * it does expose contents of unencrypted objects to the network.
     */
    public static OstoreClient connect(String target, SigningKey key) {
        return connect(target, key, RingPolicy.DEFAULT);
    }

    /**
     * As {@link #connect(String, SigningKey)}, waiting for the server as {@code policy} says: each
     * update attempt and each streamed message within its attempt timeout, an update sent again
     * (same signed bytes) after a timeout, up to its attempts.
     */
    public static OstoreClient connect(String target, SigningKey key, RingPolicy policy) {
        Objects.requireNonNull(key, "key");
        return new OstoreClient(List.of(channel(target)), null, policy, key, true);
    }

    /** Opens one plaintext channel (see {@link #connect}) per replica of {@code ring}, owned by the client. */
    public static OstoreClient connectRing(RingSpec ring, SigningKey key, RingPolicy policy) {
        Objects.requireNonNull(ring, "ring");
        Objects.requireNonNull(key, "key");
        List<ManagedChannel> channels = ring.replicas().stream().map(m -> channel(m.target())).toList();
        return new OstoreClient(channels, ring, policy, key, true);
    }

    /** A ring client over {@code channels} (index = replica id), which it does not own. */
    public static OstoreClient forRing(RingSpec ring, List<ManagedChannel> channels, SigningKey key, RingPolicy policy) {
        return new OstoreClient(channels, Objects.requireNonNull(ring, "ring"), policy, key, false);
    }

    private static ManagedChannel channel(String target) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target (" + target + ") must be host:port");
        }
        return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
    }

    /** The ring this client talks to; empty for a single server. */
    public Optional<RingSpec> ring() {
        return Optional.ofNullable(ring);
    }

    public SigningKey key() {
        return key;
    }

    /** The AGUID of the object this client's key calls {@code name}. */
    public Aguid aguidOf(String name) {
        return Aguid.of(key.publicKey(), name);
    }

    /** Signs and sends {@code update}; an abort is a result, not an exception. */
    public UpdateResult submit(Update update) {
        Objects.requireNonNull(update, "update");
        SignedUpdate signed = SignedUpdates.sign(update, key);
        if (updater != null) {
            UpdateResult result = updater.submit(update, signed);
            saw(Protos.aguid(update.getAguid(), "Update.aguid"), result.entry().getSeq());
            return result;
        }
        UpdateReplyVerifier verifier = new UpdateReplyVerifier(update, signed);
        long timeoutMillis = policy.attemptTimeout().toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return verifier.verify(stubs.getFirst().withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
                        .update(signed));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw OstoreException.fromGrpc(e);
                }
                if (attempt == policy.attempts()) {
                    // The nonce makes a resend safe, but the update may still have executed.
                    throw new OstoreException(Status.Code.DEADLINE_EXCEEDED, peer(0) + " did not answer the update in "
                            + attempt + " attempts of " + timeoutMillis + " ms; it may or may not have executed", e);
                }
            }
        }
    }

    /**
     * Makes {@code content} the newest version of this key's object {@code name}, creating the
     * object if needed, in one atomic update (truncate to 0, then append). The server cuts content
     * into blocks; blocks equal to the previous version's keep their BGUIDs and are stored once.
     */
    public UpdateResult put(String name, byte[] content) {
        Objects.requireNonNull(content, "content");
        Update update = Updates.forObject(aguidOf(name))
                .create(key.publicKey(), name)
                // One clause serves both cases: a missing object has size 0, so truncating to 0 is
                // valid on it too, and the content travels (and is signed and logged) once.
                .when(Predicates.always()).then(Actions.truncate(0), Actions.append(content))
                .build();
        return submit(update);
    }

    /** Reads and verifies a whole version into memory; versions over 2 GiB need {@link #readTo}. */
    public VerifiedVersion read(Aguid aguid, VersionSelector selector) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            return runRead(aguid, selector, false, buffer, MAX_IN_MEMORY_BYTES).withData(buffer.toByteArray());
        } catch (IOException e) {
            throw new AssertionError("a ByteArrayOutputStream does not throw", e);
        }
    }

    /**
     * Streams a version to {@code out}, each block written only after it verified, holding one
     * block at a time. If verification fails, {@code out} has received a verified prefix of whole
     * blocks and the exception says where it stopped.
     */
    public VerifiedVersion readTo(Aguid aguid, VersionSelector selector, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        return runRead(aguid, selector, false, out, Long.MAX_VALUE);
    }

    /** The version's verified root and block list, without its data. */
    public VerifiedVersion stat(Aguid aguid, VersionSelector selector) {
        try {
            return runRead(aguid, selector, true, OutputStream.nullOutputStream(), Long.MAX_VALUE);
        } catch (IOException e) {
            throw new AssertionError("the null output stream does not throw", e);
        }
    }

    private VerifiedVersion runRead(Aguid aguid, VersionSelector selector, boolean metadataOnly,
            OutputStream out, long maxSize) throws IOException {
        Objects.requireNonNull(aguid, "aguid");
        Objects.requireNonNull(selector, "selector");
        ReadRequest request = ReadRequest.newBuilder()
                .setAguid(Protos.toByteString(aguid))
                .setSelector(selector)
                .setMetadataOnly(metadataOnly)
                .build();
        if (ring == null) {
            return readFrom(0, request, new ReadVerifier(aguid, selector, metadataOnly), out, maxSize);
        }
        Map<Integer, String> failures = new TreeMap<>();
        // A refusal is unsigned, and up to f correct replicas may lag behind the 2f+1 that executed a
        // version: only 2f+1 replicas giving the same definite answer make it the ring's answer.
        Map<Status.Code, Set<Integer>> definite = new java.util.EnumMap<>(Status.Code.class);
        int start = Math.floorMod(nextReplica.getAndIncrement(), ring.n());
        for (int round = 0; round < policy.attempts(); round++) {
            if (round > 0) {
                pause(Math.min(policy.attemptTimeout().toMillis(), READ_BACKOFF_MILLIS << Math.min(round - 1, 20)));
            }
            for (int k = 0; k < ring.n(); k++) {
                int replica = (start + k) % ring.n();
                ReadVerifier verifier = new ReadVerifier(aguid, selector, metadataOnly, certificates);
                try {
                    VerifiedVersion v = readFrom(replica, request, verifier, out, maxSize);
                    saw(aguid, v.root().seq());
                    return v;
                } catch (OstoreException e) {
                    boolean tooLargeForMemory = verifier.root().map(r -> r.size() > maxSize).orElse(false);
                    if (verifier.blocksPassed() > 0 || tooLargeForMemory) {
                        throw e;
                    }
                    failures.put(replica, peer(replica) + ": " + e.code() + ": " + e.detail());
                    if (DEFINITE_READ_ANSWERS.contains(e.code())) {
                        definite.computeIfAbsent(e.code(), c -> new TreeSet<>()).add(replica);
                    }
                }
            }
            for (Map.Entry<Status.Code, Set<Integer>> d : definite.entrySet()) {
                if (d.getValue().size() >= ring.quorum()) {
                    throw new OstoreException(d.getKey(), "replicas " + d.getValue() + " agree: "
                            + failures.get(d.getValue().iterator().next()));
                }
            }
        }
        throw new OstoreException(Status.Code.UNAVAILABLE, "no replica returned a certified version of " + aguid
                + " in " + policy.attempts() + " rounds over all " + ring.n() + " replicas; last answers: "
                + String.join("; ", failures.values()));
    }

    private void saw(Aguid aguid, long seq) {
        seen.merge(aguid, seq, Math::max);
    }

    /** Who stub {@code index} calls, for error messages. */
    private String peer(int index) {
        String address = channels.get(index).authority();
        return ring == null ? "server " + address : "replica " + index + " (" + address + ")";
    }

    private VerifiedVersion readFrom(int index, ReadRequest request, ReadVerifier verifier, OutputStream out,
            long maxSize) throws IOException {
        ObjectStoreGrpc.ObjectStoreBlockingStub stub = stubs.get(index);
        boolean latest = !request.hasSelector() || request.getSelector().hasLatest();
        Aguid aguid = Protos.aguid(request.getAguid(), "ReadRequest.aguid");
        long floor = ring == null || !latest ? 0 : seen.getOrDefault(aguid, 0L);
        try (GrpcStream<ReadResponse, ReadResponse> stream = new GrpcStream<>(() -> stub.read(request),
                Function.identity(), policy.attemptTimeout(), peer(index))) {
            while (stream.hasNext()) {
                verifier.accept(stream.next(), out);
                // The root comes first, before any block reaches out: a stale one is refused whole.
                if (verifier.root().isPresent() && verifier.root().get().seq() < floor) {
                    throw new OstoreException(Status.Code.UNAVAILABLE, "it is behind: its latest version of "
                            + aguid + " is seq " + verifier.root().get().seq() + ", and this client has seen seq "
                            + floor);
                }
                if (verifier.root().isPresent() && verifier.root().get().size() > maxSize) {
                    throw new OstoreException(Status.Code.OUT_OF_RANGE, "version of " + verifier.root().get().aguid()
                            + " has " + verifier.root().get().size() + " bytes, more than read() holds (" + maxSize
                            + "); use readTo");
                }
            }
        }
        return verifier.finish();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OstoreException(Status.Code.CANCELLED, "interrupted while waiting to retry a read", e);
        }
    }

    /**
     * Entries {@code fromIndex, fromIndex + 1, ...} of the object's history, at most {@code limit}
     * of them (0: no limit). The server must send them consecutively from {@code fromIndex}.
     */
    public List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        Objects.requireNonNull(aguid, "aguid");
        Predicates.checkNonNegative(fromIndex, "fromIndex");
        Predicates.checkNonNegative(limit, "limit");
        HistoryRequest request = HistoryRequest.newBuilder()
                .setAguid(Protos.toByteString(aguid)).setFromIndex(fromIndex).setLimit(limit).build();
        List<String> failures = new ArrayList<>();
        int start = nextReplica.getAndIncrement();
        for (int k = 0; k < stubs.size(); k++) {
            int replica = Math.floorMod(start + k, stubs.size());
            try {
                return historyFrom(replica, request, fromIndex, limit);
            } catch (OstoreException e) {
                if (ring == null || e.code() == Status.Code.INVALID_ARGUMENT) {
                    throw e;
                }
                failures.add(peer(replica) + ": " + e.code() + ": " + e.detail());
            }
        }
        throw new OstoreException(Status.Code.UNAVAILABLE, "no replica returned the history of " + aguid + "; tried "
                + String.join("; ", failures));
    }

    private List<HistoryEntry> historyFrom(int index, HistoryRequest request, long fromIndex, long limit) {
        ObjectStoreGrpc.ObjectStoreBlockingStub stub = stubs.get(index);
        List<HistoryEntry> entries = new ArrayList<>();
        try (GrpcStream<HistoryEntry, HistoryEntry> stream = new GrpcStream<>(() -> stub.history(request),
                Function.identity(), policy.attemptTimeout(), peer(index))) {
            while (stream.hasNext()) {
                HistoryEntry entry = stream.next();
                long expected = fromIndex + entries.size();
                if (entry.getIndex() != expected) {
                    throw OstoreException.dataLoss("history sent entry " + Long.toUnsignedString(entry.getIndex())
                            + ", expected entry " + expected);
                }
                if (limit != 0 && entries.size() == limit) {
                    throw OstoreException.dataLoss("history sent more than the " + limit + " entries asked for");
                }
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * Verified versions of the object from {@code fromSeq} (0 or 1: from the first) on: those
     * present first, then new ones as they commit. Blocks in {@link CloseableIterator#hasNext}
     * until the next version arrives; close it to stop watching.
     */
    public CloseableIterator<VerifiedRoot> watch(Aguid aguid, long fromSeq) {
        Objects.requireNonNull(aguid, "aguid");
        WatchVerifier verifier = new WatchVerifier(aguid, fromSeq);
        WatchRequest request = WatchRequest.newBuilder()
                .setAguid(Protos.toByteString(aguid)).setFromSeq(fromSeq).build();
        ObjectStoreGrpc.ObjectStoreBlockingStub stub = stubs.get(Math.floorMod(nextReplica.getAndIncrement(), stubs.size()));
        return new GrpcStream<>(() -> stub.watch(request), verifier::accept);
    }

    /** Closes the channels if this client opened them; channels passed in are left open. */
    @Override
    public void close() {
        if (!ownsChannels) {
            return;
        }
        channels.forEach(ManagedChannel::shutdown);
        try {
            for (ManagedChannel c : channels) {
                if (!c.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    c.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            channels.forEach(ManagedChannel::shutdownNow);
            Thread.currentThread().interrupt();
        }
    }
}
