package ostore.node.archive;

import static ostore.node.archive.ArchiveRingFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.crypto.SigningKey;
import ostore.node.cli.Main;
import ostore.node.ring.RingConfigs;
import ostore.ring.bft.RingConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive commands refuse bad command lines before they touch a storage node. */
class ArchiveCliTest {
    @TempDir
    Path dir;

    private Path ring;
    private Path bare;

    @BeforeEach
    void ringFiles() throws IOException {
        SecureRandom random = new SecureRandom();
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(new RingSpec.Member(i, "127.0.0.1", 1 + i, SigningKey.generate(random).publicKey()));
        }
        List<RingSpec.StorageAddress> storage = new ArrayList<>();
        for (int j = 0; j < 9; j++) {
            storage.add(new RingSpec.StorageAddress(j, "127.0.0.1", 100 + j));
        }
        RingSpec spec = new RingSpec(0, 1, 1, RingConfigs.params(RingConfig.Params.DEFAULT), members, storage);
        ring = dir.resolve("ring.conf");
        RingFile.write(spec, ring);
        bare = dir.resolve("bare.conf");
        RingFile.write(spec.withStorageNodes(List.of()), bare);
    }

    @Test
    void restoreRefusesWriteBackAndAmbiguousOutputs() {
        ArchiveRingFixture.Run writeBack = run("restore", "x", "--ring", ring.toString(), "--write-back", "-o",
                dir.resolve("o").toString());
        assertEquals(Main.USAGE, writeBack.exit());
        assertTrue(writeBack.err().contains("ostore rebuild --config FILE --data DIR"), writeBack.err());
        ArchiveRingFixture.Run neither = run("restore", "x", "--ring", ring.toString());
        assertEquals(Main.USAGE, neither.exit());
        assertTrue(neither.err().contains("give exactly one of -o FILE and --out-dir DIR"), neither.err());
        ArchiveRingFixture.Run allToFile = run("restore", "x", "--all", "-o", dir.resolve("o").toString(), "--ring",
                ring.toString());
        assertEquals(Main.USAGE, allToFile.exit());
        assertTrue(allToFile.err().contains("--all restores several versions: use --out-dir DIR"), allToFile.err());
        ArchiveRingFixture.Run both = run("restore", "x", "--all", "--seq", "2", "--out-dir", dir.toString(), "--ring",
                ring.toString());
        assertEquals(Main.USAGE, both.exit());
        assertFalse(Files.exists(dir.resolve("o")));
    }

    @Test
    void aNameNeedsAnExistingKeyAndARingFileNeedsStorageNodes() {
        ArchiveRingFixture.Run noKey = run("restore", "mine", "--ring", ring.toString(), "--key",
                dir.resolve("absent").toString(), "-o", dir.resolve("o").toString());
        assertEquals(Main.FAILED, noKey.exit());
        assertTrue(noKey.err().contains("no key at " + dir.resolve("absent") + " to resolve the name 'mine'"),
                noKey.err());
        assertFalse(Files.exists(dir.resolve("absent")), "a restore never creates a key");
        ArchiveRingFixture.Run disabled = run("archive", "status", "--ring", bare.toString());
        assertEquals(Main.FAILED, disabled.exit());
        assertTrue(disabled.err().contains("archive disabled: " + bare + " lists no storage nodes"), disabled.err());
        ArchiveRingFixture.Run scrub = run("archive", "scrub", "mine", "--ring", dir.resolve("nope.conf").toString());
        assertEquals(Main.FAILED, scrub.exit());
        assertTrue(scrub.err().contains("no such file"), scrub.err());
        ArchiveRingFixture.Run limit = run("archive", "status", "0".repeat(64), "--limit", "0", "--ring", ring.toString());
        assertEquals(Main.USAGE, limit.exit());
        assertTrue(limit.err().contains("--limit must be in 1..4096"), limit.err());
    }
}
