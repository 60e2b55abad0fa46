package ostore.node.ring;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.logging.Logger;
import ostore.api.v1.SignedUpdate;
import ostore.node.archive.ArchiveOptions;
import ostore.node.archive.ArchiveRebuild;
import ostore.node.archive.ArchiveService;
import ostore.node.archive.ReplicaArchiver;
import ostore.node.service.ObjectStoreService;
import ostore.node.service.ReplicaUpdates;
import ostore.node.service.WriteAll;
import ostore.node.wire.SignedUpdateDecoder;
import ostore.ring.Clock;
import ostore.ring.bft.Replica;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.UpdateVerifier;
import ostore.ring.log.LocalSharedLog;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.LogStores;
import ostore.ring.log.SharedLog;
import ostore.ring.runtime.ReplicaLoop;
import ostore.store.VersionStore;
import ostore.store.rocks.RocksVersionStore;

/**
 * One run of a replica inside its {@link ReplicaNode}: the version store and shared log opened from
 * the data directory (recovery replays what the store lost, as after a crash), the archiver, the
 * links to the peers, the replica core on its event loop, and the gRPC services in front of them,
 * registered on the node's listener. A run ends when the node closes, or when the replica stops
 * because its disk is full: the node then starts a new run once the disk has room.
 */
final class ReplicaIncarnation {
    private static final Logger LOG = Logger.getLogger(ReplicaIncarnation.class.getName());

    /** Closed in reverse order of opening. */
    private final List<AutoCloseable> owned;
    private final ReplicaLoop loop;
    private final ObjectStoreService service;
    private final RingTransportService transport;
    /** The services this run registered (health is the node's): what stands in for them while no run serves. */
    private final List<ServerServiceDefinition> services;

    private ReplicaIncarnation(List<AutoCloseable> owned, ReplicaLoop loop, ObjectStoreService service,
            RingTransportService transport, List<ServerServiceDefinition> services) {
        this.owned = owned;
        this.loop = loop;
        this.service = service;
        this.transport = transport;
        this.services = services;
    }

    /**
     * Opens the store and log, starts the replica's loop and registers its services on {@code
     * registry} (replacing an earlier run's). {@code onFailure} runs once if the replica stops on
     * a failure (on the loop's thread, or at once on this one if it failed already).
     */
    static ReplicaIncarnation start(ReplicaNode.Config config, MutableHandlerRegistry registry,
            Consumer<ReplicaIncarnation> onFailure) throws IOException {
        RingConfig ring = RingConfigs.toConfig(config.ring());
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            Files.createDirectories(config.dataDir());
            ArchiveRebuild.refuseUnfinished(config.dataDir());
            VersionStore versions = RocksVersionStore.open(storeDir(config), config.limits());
            owned.add(versions);
            // The deep archive: certified versions are queued in <data>/archive and archived in the background.
            ReplicaArchiver archiver = ReplicaArchiver.forReplica(config.ring(), config.id(), versions,
                    config.dataDir().resolve("archive"), ArchiveOptions.fromSystemProperties());
            if (archiver != null) {
                owned.add(archiver);
            }
            VersionStore store = archiver == null ? versions : archiver.wrap(versions);
            LogStoreConfig d = LogStoreConfig.DEFAULT;
            // One log color per ring color plus the control color the replica keeps its view in.
            SharedLog log = LocalSharedLog.over(LogStores.open(config.dataDir().resolve("log"), config.logStore(),
                    new LogStoreConfig(ring.colors() + 1, d.maxRecordBytes(), d.poolBytes(), d.segmentBytes())));
            owned.add(log);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            owned.add(executor);
            SignedUpdateDecoder decoder = new SignedUpdateDecoder();
            PeerLinks peers = new PeerLinks(config.ring(), config.id());
            owned.add(peers);
            // Test-only: absent, the replica's frames and replies go out exactly as it made them.
            ByzantineMode.Hook lies = config.byzantine() == null ? null
                    : new ByzantineMode.Hook(config.byzantine(), config.id(), config.key(), ring);
            ReplicaUpdates updates = new ReplicaUpdates(store, executor, new UpdateForwarder(peers.channels()),
                    lies == null ? List::of : lies::toClients);
            ReplicaLoop.Peers sending = lies == null ? peers : lies.peers(peers);
            UpdateVerifier verifier = bytes -> decoder.verify(parse(bytes));
            ReplicaLoop loop = ReplicaLoop.start(ring, config.id(), Clock.SYSTEM, sending, updates,
                    ReplicaLoop.DEFAULT_INBOX_CAPACITY,
                    env -> new Replica(ring, config.id(), config.key(), log, store, verifier, env));
            owned.add(loop);
            loop.stallLimit(ReplicaNode.stallLimit());
            updates.attach(loop);
            ObjectStoreService service = new ObjectStoreService(store, updates, config.limits(), decoder, executor);
            RingTransportService transport = new RingTransportService(loop);
            List<ServerServiceDefinition> services = List.of(
                    ServerInterceptors.intercept(service, new WriteAll()),
                    transport.bindService(),
                    new RingInfoService(loop, log.storeKind(), decoder).bindService(),
                    new ArchiveService(store, archiver).bindService());
            services.forEach(registry::addService);
            ReplicaIncarnation run = new ReplicaIncarnation(owned, loop, service, transport, services);
            loop.onFailure(() -> onFailure.accept(run));
            LOG.info(() -> "ostore replica " + config.id() + " of " + ring.n() + " (ring epoch " + ring.epoch()
                    + "), data in " + config.dataDir() + ", log store " + log.storeKind() + ", started");
            return run;
        } catch (IOException | RuntimeException e) {
            closeAll(owned, e);
            throw e;
        }
    }

    /** Where the replica's version store lives: the disk whose filling stops a run. */
    static java.nio.file.Path storeDir(ReplicaNode.Config config) {
        return config.dataDir().resolve("versions");
    }

    private static SignedUpdate parse(byte[] bytes) {
        try {
            return SignedUpdate.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a valid ostore.v1.SignedUpdate: " + e.getMessage(), e);
        }
    }

    /** The replica's failure if it stopped on one, else null. */
    Throwable failure() {
        return loop.failure();
    }

    /** Ends the streams in flight: clients' watches and certificate waits, and peers' frame streams. */
    void stopServing() {
        service.close();
        // Peers' frame streams into this replica never end by themselves: end them, or a drain
        // would wait its whole timeout for them.
        transport.close();
    }

    /** Stops the replica after the event it is handling, then closes its links, log and store. */
    void release() {
        closeAll(owned, null);
    }

    /**
     * Puts in this run's place on {@code registry} services that answer every call with {@code
     * status}: a client or peer learns why nothing serves, and nothing reaches the closed store.
     */
    void standIn(MutableHandlerRegistry registry, Status status) {
        for (ServerServiceDefinition real : services) {
            ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(real.getServiceDescriptor());
            for (ServerMethodDefinition<?, ?> m : real.getMethods()) {
                refuse(b, m.getMethodDescriptor(), status);
            }
            registry.addService(b.build());
        }
    }

    private static <Q, R> void refuse(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> method, Status status) {
        b.addMethod(method, (call, headers) -> {
            call.close(status, new Metadata());
            return new ServerCall.Listener<>() {};
        });
    }

    private static void closeAll(List<AutoCloseable> owned, Exception cause) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                } else {
                    LOG.warning(() -> "closing " + e + " failed");
                }
            }
        }
    }
}
