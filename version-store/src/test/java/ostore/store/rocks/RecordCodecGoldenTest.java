package ostore.store.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.StoredVersion;
import ostore.store.core.JournalEntry;
import ostore.store.core.NonceRecord;
import ostore.store.core.RecordCodec;
import org.junit.jupiter.api.Test;

/** Pins the on-disk bytes: if one of these fails, the format changed and needs a new version. */
class RecordCodecGoldenTest {
    private static final HexFormat HEX = HexFormat.of();

    private static Hash32 filled(int b) {
        byte[] h = new byte[32];
        java.util.Arrays.fill(h, (byte) b);
        return Hash32.of(h);
    }

    private static PublicKey key(int b) {
        return PublicKey.of(filled(b).toBytes());
    }

    static StoredVersion sampleVersion() {
        List<BlockListHash.Entry> blocks = List.of(new BlockListHash.Entry(new Bguid(filled(0xb1)), 5),
                new BlockListHash.Entry(new Bguid(filled(0xb2)), 3));
        VersionRoot root = new VersionRoot(new Aguid(filled(0xa0)), 2, Optional.of(new Vguid(filled(0xcc))), 8, 2,
                BlockListHash.root(blocks), 0x0102030405L, new Acl(key(0x11), List.of(key(0x22)), true), filled(0xdd));
        return new StoredVersion(root, root.vguid(), blocks);
    }

    static HistoryEntry sampleCommit() {
        return new HistoryEntry(new Aguid(filled(0xa0)), 7, true, filled(0xdd), key(0x22), 42, 2,
                Optional.of(new Vguid(filled(0xee))), 1000, 3, "");
    }

    static HistoryEntry sampleAbort() {
        return new HistoryEntry(new Aguid(filled(0xa0)), 8, false, filled(0xdd), key(0x22), 43, 2,
                Optional.empty(), 1001, -1, "no clause holds");
    }

    @Test
    void versionEncodingIsPinned() {
        String expected = "01" + "a0".repeat(32) + "0000000000000002" + "01" + "cc".repeat(32)
                + "0000000000000008" + "0000000000000002"
                + "34e951690d5dd99b20c8597815935af17f3cf128acf5e3f2703879fd6e8230d6"
                + "0000000102030405" + "00000020" + "11".repeat(32) + "00000001" + "00000020" + "22".repeat(32)
                + "01" + "dd".repeat(32) + "b1".repeat(32) + "00000005" + "b2".repeat(32) + "00000003";
        assertEquals(expected, HEX.formatHex(RecordCodec.encodeVersion(sampleVersion())));
    }

    @Test
    void historyEncodingIsPinned() {
        String commit = "01" + "01" + "dd".repeat(32) + "00000020" + "22".repeat(32) + "000000000000002a"
                + "0000000000000002" + "ee".repeat(32) + "00000000000003e8" + "0000000000000003" + "00000000";
        assertEquals(commit, HEX.formatHex(RecordCodec.encodeHistory(sampleCommit())));
        String abort = "01" + "02" + "dd".repeat(32) + "00000020" + "22".repeat(32) + "000000000000002b"
                + "0000000000000002" + "00000000000003e9" + "ffffffffffffffff" + "0000000f"
                + HEX.formatHex("no clause holds".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(abort, HEX.formatHex(RecordCodec.encodeHistory(sampleAbort())));
    }

    /** Journal format 1: position, aguid, parts (1 history, 2 version), the records, new BGUIDs sorted. */
    @Test
    void journalEntryEncodingIsPinned() {
        JournalEntry e = new JournalEntry(0x102, new Aguid(filled(0xa0)), Optional.of(sampleCommit()),
                Optional.of(sampleVersion()), Optional.empty(), List.of(new Bguid(filled(0xb2)), new Bguid(filled(0xb1))));
        String history = HEX.formatHex(RecordCodec.encodeHistory(sampleCommit()));
        String version = HEX.formatHex(RecordCodec.encodeVersion(sampleVersion()));
        String expected = "01" + "0000000000000102" + "a0".repeat(32) + "03" + "0000000000000007"
                + String.format("%08x", history.length() / 2) + history + String.format("%08x", version.length() / 2)
                + version + "00000002" + "b1".repeat(32) + "b2".repeat(32);
        assertEquals(expected, HEX.formatHex(e.encode()));
        assertEquals(e, JournalEntry.decode(e.encode()));
        byte[] unknownPart = e.encode();
        unknownPart[1 + 8 + 32] = 0x13;
        assertThrows(IllegalArgumentException.class, () -> JournalEntry.decode(unknownPart));
    }

    /** An archived version: parts 0x0a (version, archived), no history; its new BGUIDs sorted. */
    @Test
    void archivedJournalEntryEncodingIsPinned() {
        JournalEntry e = new JournalEntry(0x103, new Aguid(filled(0xa0)), Optional.empty(), Optional.of(sampleVersion()),
                Optional.empty(), List.of(new Bguid(filled(0xb2))));
        assertTrue(e.archived());
        String version = HEX.formatHex(RecordCodec.encodeVersion(sampleVersion()));
        String expected = "01" + "0000000000000103" + "a0".repeat(32) + "0a"
                + String.format("%08x", version.length() / 2) + version + "00000001" + "b2".repeat(32);
        assertEquals(expected, HEX.formatHex(e.encode()));
        assertEquals(e, JournalEntry.decode(e.encode()));
        for (int parts : new int[] {0x02, 0x0b, 0x0e, 0x08}) {
            byte[] bad = e.encode();
            bad[1 + 8 + 32] = (byte) parts;
            assertThrows(IllegalArgumentException.class, () -> JournalEntry.decode(bad), "parts " + parts);
        }
    }

    @Test
    void recordsRoundTrip() {
        StoredVersion v = sampleVersion();
        assertEquals(v, RecordCodec.decodeVersion(RecordCodec.encodeVersion(v)));
        for (HistoryEntry h : List.of(sampleCommit(), sampleAbort())) {
            assertEquals(h, RecordCodec.decodeHistory(h.aguid(), h.index(), RecordCodec.encodeHistory(h)));
        }
    }

    @Test
    void damagedRecordsAreRefused() {
        byte[] v = RecordCodec.encodeVersion(sampleVersion());
        byte[] newer = v.clone();
        newer[0] = 2;
        assertEquals("corrupt version record: format version (2) is not the supported 1",
                assertThrows(IllegalStateException.class, () -> RecordCodec.decodeVersion(newer)).getMessage());
        byte[] shortened = java.util.Arrays.copyOf(v, v.length - 1);
        assertThrows(IllegalStateException.class, () -> RecordCodec.decodeVersion(shortened));
        byte[] longer = java.util.Arrays.copyOf(v, v.length + 1);
        assertEquals("corrupt version record: record has 1 trailing bytes",
                assertThrows(IllegalStateException.class, () -> RecordCodec.decodeVersion(longer)).getMessage());
        byte[] h = RecordCodec.encodeHistory(sampleAbort());
        h[1] = 3;
        assertThrows(IllegalStateException.class, () -> RecordCodec.decodeHistory(sampleAbort().aguid(), 8, h));
    }

    /**
     * Format 1, kind 1: the history index of the update that used the nonce. Kind 2: a nonce
     * burned by a refusal, with the update's digest, the rejection's code and its message.
     */
    @Test
    void nonceRecordEncodingIsPinned() {
        assertEquals("01" + "01" + "0000000000000007", HEX.formatHex(RecordCodec.encodeNonceExecuted(7)));
        assertEquals("01" + "02" + "dd".repeat(32) + "02" + "00000003" + "6e6f21",
                HEX.formatHex(RecordCodec.encodeNonceRefused(sampleRefusal())));
    }

    static NonceRecord.Refused sampleRefusal() {
        return new NonceRecord.Refused(new Aguid(filled(0xa0)), key(0x22), 44, filled(0xdd),
                new Outcome.Rejected(Outcome.Rejection.NOT_A_WRITER, "no!"));
    }

    @Test
    void nonceRecordsRoundTrip() {
        NonceRecord.Refused r = sampleRefusal();
        assertEquals(r, RecordCodec.decodeNonce(r.aguid(), r.writer(), r.nonce(), RecordCodec.encodeNonceRefused(r),
                index -> { throw new AssertionError("a refusal names no history entry"); }));
        HistoryEntry h = sampleCommit();
        assertEquals(new NonceRecord.Executed(h), RecordCodec.decodeNonce(h.aguid(), h.writer(), h.nonce(),
                RecordCodec.encodeNonceExecuted(7), index -> index == 7 ? h : null));
    }

    /** The codes are on disk: each rejection keeps its number, and no two share one. */
    @Test
    void rejectionCodesArePinned() {
        List<Integer> codes = java.util.Arrays.stream(Outcome.Rejection.values()).map(Outcome.Rejection::code).toList();
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), codes);
        for (Outcome.Rejection r : Outcome.Rejection.values()) {
            assertEquals(r, Outcome.Rejection.ofCode(r.code()));
        }
    }

    @Test
    void damagedNonceRecordsAreRefused() {
        NonceRecord.Refused r = sampleRefusal();
        byte[] badKind = RecordCodec.encodeNonceRefused(r);
        badKind[1] = 3;
        assertEquals("corrupt nonce record: kind (3) must be 1 or 2", assertThrows(IllegalStateException.class,
                () -> RecordCodec.decodeNonce(r.aguid(), r.writer(), r.nonce(), badKind, i -> null)).getMessage());
        byte[] badCode = RecordCodec.encodeNonceRefused(r);
        badCode[2 + 32] = 99;
        assertEquals("corrupt nonce record: rejection code (99) is unknown", assertThrows(IllegalStateException.class,
                () -> RecordCodec.decodeNonce(r.aguid(), r.writer(), r.nonce(), badCode, i -> null)).getMessage());
        byte[] legacy = StoreKeys.i64(7);
        assertThrows(IllegalStateException.class,
                () -> RecordCodec.decodeNonce(r.aguid(), r.writer(), r.nonce(), legacy, i -> null));
    }

    /**
     * Format 5 (format 4 and the uncertified marks): the store format; per color (its byte last) the applied position under "applied/",
     * the store digest under "digest/", the installing mark under "installing/"; journal keys are
     * the color byte and the big-endian position.
     */
    @Test
    void metaKeysArePinned() {
        assertEquals(5, RocksVersionStore.STORE_FORMAT);
        assertEquals("07" + "0000000000000102", HEX.formatHex(StoreKeys.uncertified(7, 0x102)));
        assertEquals(HEX.formatHex("digest/".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + "07",
                HEX.formatHex(StoreKeys.storeDigest(7)));
        assertEquals(HEX.formatHex("installing/".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + "07",
                HEX.formatHex(StoreKeys.installing(7)));
        assertEquals("07" + "0000000000000102", HEX.formatHex(StoreKeys.journal(7, 0x102)));
        assertEquals("07" + "ffffffffffffffff", HEX.formatHex(StoreKeys.journalEnd(7)));
        assertEquals(HEX.formatHex("store-format".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                HEX.formatHex(StoreKeys.STORE_FORMAT));
        String applied = HEX.formatHex("applied/".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(applied + "00", HEX.formatHex(StoreKeys.appliedPosition(0)));
        assertEquals(applied + "ff", HEX.formatHex(StoreKeys.appliedPosition(255)));
    }

    @Test
    void keysSortNumerically() {
        Aguid a = new Aguid(filled(0xa0));
        assertEquals("a0".repeat(32) + "0000000000000102", HEX.formatHex(StoreKeys.version(a, 0x102)));
        assertEquals("a0".repeat(32) + "7fffffffffffffff" + "0000000000000001",
                HEX.formatHex(StoreKeys.asOf(a, -1, 1)));
        assertEquals("a0".repeat(32) + "8000000000000000" + "0000000000000001",
                HEX.formatHex(StoreKeys.asOf(a, 0, 1)));
        assertEquals("a0".repeat(32) + "22".repeat(32) + "000000000000002a",
                HEX.formatHex(StoreKeys.nonce(a, key(0x22), 42)));
    }
}
