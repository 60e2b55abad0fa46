package ostore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ring configuration file: a golden text, round trips, and an error naming the line for each mistake. */
class RingFileTest {
    private static final List<PublicKey> KEYS = keys();

    private static List<PublicKey> keys() {
        List<PublicKey> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] seed = new byte[32];
            seed[0] = (byte) (i + 1);
            keys.add(SigningKey.fromSeed(seed).publicKey());
        }
        return keys;
    }

    private static RingSpec spec() {
        Map<String, Long> params = new LinkedHashMap<>();
        long[] values = {256, 1000, 16, 64, 2_000_000, 5_000_000};
        for (int i = 0; i < values.length; i++) {
            params.put(RingFile.PARAMS.get(i), values[i]);
        }
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(new RingSpec.Member(i, i == 3 ? "::1" : "127.0.0.1", 7420 + i, KEYS.get(i)));
        }
        return new RingSpec(7, 1, 1, params, members);
    }

    private static String text() {
        return "# ostore inner-ring configuration; every replica and client of the ring reads the same file\n"
                + "ostore-ring 1\n"
                + "epoch 7\n"
                + "f 1\n"
                + "colors 1\n"
                + "param max-batch-size 256\n"
                + "param batch-wait-micros 1000\n"
                + "param checkpoint-interval 16\n"
                + "param watermark-window 64\n"
                + "param view-change-timeout-micros 2000000\n"
                + "param max-skew-micros 5000000\n"
                + "replica 0 127.0.0.1:7420 " + KEYS.get(0).toHex() + "\n"
                + "replica 1 127.0.0.1:7421 " + KEYS.get(1).toHex() + "\n"
                + "replica 2 127.0.0.1:7422 " + KEYS.get(2).toHex() + "\n"
                + "replica 3 [::1]:7423 " + KEYS.get(3).toHex() + "\n";
    }

    @Test
    void formatIsTheGoldenText() {
        assertEquals(text(), RingFile.format(spec()));
    }

    @Test
    void parseReadsTheGoldenTextBack() {
        RingSpec parsed = RingFile.parse("ring.conf", text());
        assertEquals(spec(), parsed);
        assertEquals("[::1]:7423", parsed.replicas().get(3).target());
    }

    @Test
    void commentsBlankLinesAndReplicaOrderDoNotMatter() {
        String[] lines = text().split("\n");
        String shuffled = lines[0] + "\n\n" + lines[1] + "   # the format\n" + String.join("\n", List.of(lines[14], lines[12],
                lines[13], lines[11])) + "\n" + String.join("\n", List.of(lines).subList(2, 11)) + "\n";
        assertEquals(spec(), RingFile.parse("ring.conf", shuffled));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "wrong magic | 2 | ostore-ring 1 | ostre-ring 1 | ring.conf:2: the first statement must be 'ostore-ring 1'",
        "future version | 2 | ostore-ring 1 | ostore-ring 4 | ring.conf:2: format version 4 is not supported",
        "storage in version 1 | 5 | colors 1 | colors 1\\nstorage 0 127.0.0.1:7520 | ring.conf:6: 'storage' statements need format version 2",
        "epoch twice | 3 | epoch 7 | epoch 7\\nepoch 8 | ring.conf:4: 'epoch' is set twice",
        "negative epoch | 3 | epoch 7 | epoch -1 | ring.conf:3: epoch (-1) must be >= 0",
        "f not a number | 4 | f 1 | f one | ring.conf:4: f (one) is not a whole number",
        "too many colors | 5 | colors 1 | colors 300 | ring.conf:5: colors (300) must be in 1..256",
        "unknown param | 6 | param max-batch-size 256 | param max-batch 256 | ring.conf:6: unknown parameter 'max-batch'",
        "param twice | 7 | param batch-wait-micros 1000 | param max-batch-size 9 | ring.conf:7: parameter max-batch-size is set twice",
        "unknown statement | 5 | colors 1 | colour 1 | ring.conf:5: unknown statement 'colour'; expected epoch, f, colors, param, replica or storage",
        "bad port | 12 | replica 0 127.0.0.1:7420 | replica 0 127.0.0.1:99999 | ring.conf:12: replica 0 port (99999) must be in 1..65535",
        "no port | 12 | replica 0 127.0.0.1:7420 | replica 0 localhost | ring.conf:12: replica 0 address 'localhost' must be HOST:PORT",
        "missing key | 12 | replica 0 127.0.0.1:7420 | replica 0 | ring.conf:12: expected 'replica ID HOST:PORT PUBLIC-KEY-HEX'",
        "replica twice | 13 | replica 1 127.0.0.1:7421 | replica 0 127.0.0.1:7421 | ring.conf:13: replica 0 is listed twice",
    })
    void aMistakeIsReportedWithItsLine(String name, int line, String from, String to, String message) {
        String[] lines = text().split("\n", -1);
        assertEquals(true, lines[line - 1].startsWith(from), "test setup: line " + line + " is " + lines[line - 1]);
        lines[line - 1] = lines[line - 1].replace(from, to.replace("\\n", "\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RingFile.parse("ring.conf", String.join("\n", lines)));
        assertEquals(true, e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aBadKeyIsReportedWithItsLine() {
        String broken = text().replace(KEYS.get(2).toHex(), "zz" + KEYS.get(2).toHex().substring(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", broken));
        assertEquals(true, e.getMessage().startsWith("r:14: replica 2: public key hex"), e.getMessage());
    }

    @Test
    void aMissingReplicaOrParameterIsNamed() {
        String noReplica3 = text().replace("replica 3 [::1]:7423 " + KEYS.get(3).toHex() + "\n", "");
        assertEquals("r: a ring with f (1) needs 4 replicas, not 3",
                assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", noReplica3)).getMessage());
        String gap = text().replace("replica 2 127.0.0.1:7422 " + KEYS.get(2).toHex(), "replica 4 127.0.0.1:7422 "
                + KEYS.get(2).toHex());
        assertEquals("r: replica 2 is missing (ids must be 0..3)",
                assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", gap)).getMessage());
        String noParam = text().replace("param max-skew-micros 5000000\n", "");
        assertEquals("r: missing parameters: max-skew-micros",
                assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", noParam)).getMessage());
        String sameKey = text().replace(KEYS.get(1).toHex(), KEYS.get(0).toHex());
        assertEquals("r: replica 1 repeats the key " + KEYS.get(0).toHex(),
                assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", sameKey)).getMessage());
        assertEquals("r: empty: no 'ostore-ring 1', 'ostore-ring 2' or 'ostore-ring 3' statement",
                assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", "# nothing\n")).getMessage());
    }

    private static byte[] seed(int first) {
        byte[] seed = new byte[32];
        seed[0] = (byte) first;
        return seed;
    }

    private static RingSpec withStorage() {
        return spec().withStorageNodes(List.of(new RingSpec.StorageAddress(0, "127.0.0.1", 7520),
                new RingSpec.StorageAddress(1, "::1", 7521), new RingSpec.StorageAddress(2, "127.0.0.1", 7522)));
    }

    private static String textWithStorage() {
        return text().replace("ostore-ring 1\n", "ostore-ring 2\n")
                + "storage 0 127.0.0.1:7520\n"
                + "storage 1 [::1]:7521\n"
                + "storage 2 127.0.0.1:7522\n";
    }

    @Test
    void storageNodesAreWrittenAsVersion2AndReadBack() {
        assertEquals(textWithStorage(), RingFile.format(withStorage()));
        RingSpec parsed = RingFile.parse("ring.conf", textWithStorage());
        assertEquals(withStorage(), parsed);
        assertEquals(true, parsed.archives());
        assertEquals("[::1]:7521", parsed.storageNodes().get(1).target());
    }

    @Test
    void storageRoutingKeysAreWrittenAsVersion3AndReadBack() {
        List<RingSpec.StorageAddress> keyed = new ArrayList<>();
        for (RingSpec.StorageAddress a : withStorage().storageNodes()) {
            keyed.add(a.withRoutingKey(SigningKey.fromSeed(seed(100 + a.id())).publicKey()));
        }
        RingSpec spec = spec().withStorageNodes(keyed);
        String text = RingFile.format(spec);
        assertEquals(true, text.contains("ostore-ring 3\n"), text);
        assertEquals(true, text.contains("storage 1 [::1]:7521 " + keyed.get(1).routingKey().toHex() + "\n"), text);
        RingSpec parsed = RingFile.parse("ring.conf", text);
        assertEquals(spec, parsed);
        assertEquals(true, parsed.storageKeysKnown());
        assertEquals(false, RingFile.parse("ring.conf", textWithStorage()).storageKeysKnown());

        String missing = text.replace(" " + keyed.get(2).routingKey().toHex(), "");
        assertEquals(true, assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", missing)).getMessage()
                .startsWith("r:18: expected 'storage ID HOST:PORT ROUTING-KEY-HEX'"));
        String keyInVersion2 = textWithStorage().replace("storage 2 127.0.0.1:7522", "storage 2 127.0.0.1:7522 "
                + keyed.get(2).routingKey().toHex());
        assertEquals(true, assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", keyInVersion2))
                .getMessage().equals("r:18: expected 'storage ID HOST:PORT'"));
        String sameKey = text.replace(keyed.get(2).routingKey().toHex(), keyed.get(0).routingKey().toHex());
        assertEquals("r: storage node 2 repeats the routing key " + keyed.get(0).routingKey().toHex(),
                assertThrows(IllegalArgumentException.class, () -> RingFile.parse("r", sameKey)).getMessage());
    }

    @Test
    void aVersion1FileHasNoStorageNodesAndAVersion2FileMayHaveNone() {
        RingSpec old = RingFile.parse("ring.conf", text());
        assertEquals(List.of(), old.storageNodes());
        assertEquals(false, old.archives());
        assertEquals(old, RingFile.parse("ring.conf", text().replace("ostore-ring 1\n", "ostore-ring 2\n")));
    }

    @Test
    void storageOrderDoesNotMatter() {
        String[] lines = textWithStorage().split("\n");
        String shuffled = String.join("\n", List.of(lines).subList(0, 15)) + "\n" + lines[17] + "\n" + lines[15] + "\n"
                + lines[16] + "\n";
        assertEquals(withStorage(), RingFile.parse("ring.conf", shuffled));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "listed twice | storage 2 127.0.0.1:7522 | storage 1 127.0.0.1:7522 | ring.conf:18: storage node 1 is listed twice",
        "no port | storage 2 127.0.0.1:7522 | storage 2 localhost | ring.conf:18: storage node 2 address 'localhost' must be HOST:PORT",
        "bad port | storage 2 127.0.0.1:7522 | storage 2 127.0.0.1:0 | ring.conf:18: storage node 2 port (0) must be in 1..65535",
        "extra word | storage 2 127.0.0.1:7522 | storage 2 127.0.0.1:7522 x | ring.conf:18: expected 'storage ID HOST:PORT'",
        "gap | storage 2 127.0.0.1:7522 | storage 3 127.0.0.1:7522 | ring.conf: storage node 2 is missing (ids must be 0..2)",
        "same address | storage 2 127.0.0.1:7522 | storage 2 127.0.0.1:7520 | ring.conf: storage node 2 repeats the address 127.0.0.1:7520",
    })
    void aStorageMistakeIsNamed(String name, String from, String to, String message) {
        String broken = textWithStorage().replace(from, to);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RingFile.parse("ring.conf", broken));
        assertEquals(message, e.getMessage());
    }
}
