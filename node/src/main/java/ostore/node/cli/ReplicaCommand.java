package ostore.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ostore.client.RingSpec;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.node.ring.ByzantineMode;
import ostore.node.ring.ReplicaNode;
import ostore.ring.bft.fault.ByzantineTamper;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "replica", mixinStandardHelpOptions = true,
        description = {"Run one replica of a ring as this process, until SIGTERM or Ctrl-C.",
            "It listens on the address the ring configuration gives replica ID; the key must be that replica's."})
final class ReplicaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the ring configuration")
    Path config;

    @Option(names = "--id", required = true, paramLabel = "I", description = "which replica of the ring this is")
    int id;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "this replica's private key (ostore keygen)")
    Path key;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "this replica's data directory")
    Path data;

    @Option(names = "--byzantine", paramLabel = "MODE", description = {
        "TEST ONLY: make this replica lie to its peers and clients (silent, equivocate, wrong-digests, garble,"
            + " stale, mixed), to test that the others and the clients stay correct. Never in production."})
    String byzantine;

    @Option(names = "--byzantine-seed", paramLabel = "N",
            description = "the random seed of --byzantine's choices (default: 0)")
    Long byzantineSeed;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ByzantineMode lies = byzantineMode();
        RingSpec ring = ClientOptions.loadRing(config);
        if (id < 0 || id >= ring.n()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--id " + id + " is not a replica of "
                    + config + ", which lists 0.." + (ring.n() - 1));
        }
        SigningKey k = KeyFiles.load(key);
        ReplicaNode.Config c;
        try {
            c = new ReplicaNode.Config(ring, id, k, data, Limits.DEFAULT, LogStores.Preference.AUTO, lies);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--key " + key + ": " + e.getMessage(), e);
        }
        ReplicaNode node = ReplicaNode.start(c);
        node.exitOnSafetyViolation();
        spec.commandLine().getOut().println("ostore replica " + id + " of " + ring.n() + " listening on " + node.address()
                + ", data in " + data);
        spec.commandLine().getOut().println(UpCommand.describeArchive(ring, config));
        spec.commandLine().getOut().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ostore-shutdown").unstarted(() -> {
            node.close();
            spec.commandLine().getOut().println("ostore replica " + id + " stopped; data in " + data + " is consistent");
            stopped.countDown();
        }));
        stopped.await();
        return Main.OK;
    }

    /** The test-only fault mode the flags ask for, or null for a correct replica. */
    private ByzantineMode byzantineMode() {
        if (byzantine == null) {
            if (byzantineSeed != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--byzantine-seed needs --byzantine MODE");
            }
            return null;
        }
        ByzantineTamper.Behaviour behaviour;
        try {
            behaviour = ByzantineTamper.Behaviour.fromFlag(byzantine);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--byzantine: " + e.getMessage(), e);
        }
        return new ByzantineMode(behaviour, byzantineSeed == null ? 0 : byzantineSeed);
    }
}
