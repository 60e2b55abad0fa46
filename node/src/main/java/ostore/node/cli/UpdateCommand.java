package ostore.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import ostore.api.v1.Action;
import ostore.api.v1.Predicate;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.Predicates;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.crypto.Aguid;
import ostore.crypto.Vguid;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * One guarded update: every {@code --if-*} flag must hold (they are ANDed; none means always), and
 * then the action flags apply in the order given on the command line. Exits 1 when it aborts.
 */
@Command(name = "update", mixinStandardHelpOptions = true, description = "Apply actions to an object if all --if-* predicates hold.")
final class UpdateCommand implements Callable<Integer> {
    private static final Set<String> ACTION_FLAGS = Set.of(
            "--append", "--replace-block", "--insert-block", "--delete-block", "--truncate", "--set-writers");

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "NAME|AGUID", description = "a name under your key, or a 64-hex AGUID")
    String object;

    @Option(names = "--if-version", paramLabel = "N", description = "the latest seq compares to N (see --if-version-op)")
    Long ifVersion;

    @Option(names = "--if-version-op", paramLabel = "OP", defaultValue = "eq", description = "eq ne lt le gt ge (default: ${DEFAULT-VALUE})")
    String ifVersionOp;

    @Option(names = "--if-vguid", paramLabel = "V", description = "the latest version is V")
    String ifVguid;

    @Option(names = "--if-size", paramLabel = "OP:N", description = "the latest size compares to N, e.g. ge:100")
    List<String> ifSize = new ArrayList<>();

    @Option(names = "--if-block", paramLabel = "I:BGUID", description = "block I is named BGUID")
    List<String> ifBlock = new ArrayList<>();

    @Option(names = "--if-contains", paramLabel = "TEXT", description = "the latest bytes contain TEXT (UTF-8)")
    List<String> ifContains = new ArrayList<>();

    @Option(names = "--append", paramLabel = "FILE", description = "append FILE's bytes")
    List<String> append = new ArrayList<>();

    @Option(names = "--replace-block", paramLabel = "I:FILE", description = "replace block I with FILE")
    List<String> replaceBlock = new ArrayList<>();

    @Option(names = "--insert-block", paramLabel = "I:FILE", description = "insert FILE as a block before block I")
    List<String> insertBlock = new ArrayList<>();

    @Option(names = "--delete-block", paramLabel = "I", description = "delete block I")
    List<String> deleteBlock = new ArrayList<>();

    @Option(names = "--truncate", paramLabel = "N", description = "cut the object to N bytes")
    List<String> truncate = new ArrayList<>();

    @Option(names = "--set-writers", paramLabel = "KEYHEX,...", description = "replace the writer list (owner only)")
    List<String> setWriters = new ArrayList<>();

    @Option(names = "--encrypted", description = "with --set-writers: mark the object's blocks as ciphertext")
    boolean encrypted;

    @Override
    public Integer call() throws IOException {
        Predicate predicate;
        List<Action> actions;
        try {
            predicate = predicate();
            actions = actions();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        try (OstoreClient c = client.connect(spec.commandLine().getErr())) {
            Aguid aguid = ClientOptions.resolve(c, object);
            UpdateResult result = c.submit(Updates.forObject(aguid).when(predicate).then(actions).build());
            new Output(spec.commandLine().getOut(), client.json).update(result);
            return result.committed() ? Main.OK : Main.ABORTED;
        }
    }

    private Predicate predicate() {
        List<Predicate> all = new ArrayList<>();
        if (ifVersion != null) {
            all.add(Predicates.version(UpdateFlags.comparison("--if-version-op", ifVersionOp), ifVersion));
        }
        if (ifVguid != null) {
            all.add(Predicates.vguid(Vguid.fromHex(ifVguid)));
        }
        ifSize.forEach(s -> all.add(UpdateFlags.size(s)));
        ifBlock.forEach(b -> all.add(UpdateFlags.block(b)));
        ifContains.forEach(t -> all.add(Predicates.search(t.getBytes(StandardCharsets.UTF_8))));
        return switch (all.size()) {
            case 0 -> Predicates.always();
            case 1 -> all.getFirst();
            default -> Predicates.and(all.toArray(Predicate[]::new));
        };
    }

    /** Walks the matched options in command-line order, taking each flag's next value in turn. */
    private List<Action> actions() throws IOException {
        List<Action> actions = new ArrayList<>();
        Map<OptionSpec, Integer> taken = new HashMap<>();
        for (ArgSpec arg : spec.commandLine().getParseResult().matchedArgs()) {
            if (arg instanceof OptionSpec option && ACTION_FLAGS.contains(option.longestName())) {
                int k = taken.merge(option, 1, Integer::sum) - 1;
                actions.add(action(option.longestName(), option.originalStringValues().get(k)));
            }
        }
        if (encrypted && setWriters.isEmpty()) {
            throw new IllegalArgumentException("--encrypted belongs to a --set-writers action; give the writers too");
        }
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("give at least one action: --append, --replace-block, --insert-block, "
                    + "--delete-block, --truncate or --set-writers");
        }
        return actions;
    }

    private Action action(String flag, String value) throws IOException {
        return switch (flag) {
            case "--append" -> Actions.append(Files.readAllBytes(Path.of(value)));
            case "--replace-block", "--insert-block" -> UpdateFlags.indexedBlock(flag, value);
            case "--delete-block" -> Actions.deleteBlock(UpdateFlags.number(flag, value));
            case "--truncate" -> Actions.truncate(UpdateFlags.number(flag, value));
            case "--set-writers" -> Actions.setAcl(UpdateFlags.writers(value), encrypted);
            default -> throw new AssertionError("not an action flag: " + flag);
        };
    }
}
