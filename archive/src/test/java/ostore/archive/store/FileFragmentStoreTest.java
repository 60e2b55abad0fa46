package ostore.archive.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFragmentStoreTest {
    @TempDir
    Path dir;

    private static byte[] object(int i) {
        byte[] b = new byte[100 + i];
        new Random(i).nextBytes(b);
        return b;
    }

    private Path fileOf(Hash32 name) {
        return dir.resolve("objects").resolve(name.toHex().substring(0, 2)).resolve(name.toHex());
    }

    @Test
    void objectsAndIndexSurviveReopening() throws IOException {
        byte[] a = object(1);
        Hash32 name = ArchiveNames.objectName(a);
        Hash32 key = Hashing.hash(Domain.ARCHIVE_INDEX, new byte[] {1});
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            assertTrue(store.put(name, a));
            assertFalse(store.put(name, a), "an object already held changes nothing");
            assertTrue(store.addIndex(key, new byte[] {1, 2}));
            assertTrue(store.addIndex(key, new byte[] {3}));
            assertFalse(store.addIndex(key, new byte[] {1, 2}));
        }
        Files.writeString(dir.resolve("tmp").resolve("99-1.tmp"), "an unfinished write");
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            assertArrayEquals(a, store.get(name).orElseThrow());
            assertTrue(store.has(name));
            assertEquals(new FragmentStore.Usage(1, a.length), store.usage());
            List<byte[]> values = store.index(key);
            assertEquals(2, values.size());
            assertArrayEquals(new byte[] {1, 2}, values.get(0));
            assertArrayEquals(new byte[] {3}, values.get(1));
            assertTrue(store.index(Hashing.hash(Domain.ARCHIVE_INDEX, new byte[] {2})).isEmpty());
            try (var tmp = Files.list(dir.resolve("tmp"))) {
                assertEquals(0, tmp.count(), "open clears unfinished temporary files");
            }
        }
    }

    @Test
    void anObjectPutUnderTheWrongNameIsRefusedAndNothingIsStored() throws IOException {
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            Hash32 wrong = ArchiveNames.objectName(object(2));
            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.put(wrong, object(3)));
            assertEquals(wrong, e.name());
            assertEquals("object put as " + wrong + " has the name " + ArchiveNames.objectName(object(3)), e.getMessage());
            assertFalse(store.has(wrong));
            assertEquals(new FragmentStore.Usage(0, 0), store.usage());
            assertThrows(IllegalArgumentException.class,
                    () -> store.put(wrong, new byte[FragmentStore.MAX_OBJECT_BYTES + 1]));
        }
    }

    @Test
    void corruptOrTruncatedObjectsAreDetectedOnReadAndQuarantined() throws IOException {
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            byte[] a = object(4);
            byte[] b = object(5);
            Hash32 na = ArchiveNames.objectName(a);
            Hash32 nb = ArchiveNames.objectName(b);
            store.put(na, a);
            store.put(nb, b);
            byte[] flipped = a.clone();
            flipped[10] ^= 1;
            Files.write(fileOf(na), flipped);
            Files.write(fileOf(nb), java.util.Arrays.copyOf(b, 7));

            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.get(na));
            assertEquals(na, e.name());
            assertTrue(e.getMessage().endsWith("moved to quarantine"), e.getMessage());
            assertThrows(CorruptObjectException.class, () -> store.get(nb));
            assertFalse(store.has(na));
            assertTrue(store.get(na).isEmpty(), "a quarantined object is no longer held");
            assertEquals(new FragmentStore.Usage(0, 0), store.usage());
            try (var q = Files.list(dir.resolve("quarantine"))) {
                assertEquals(2, q.count());
            }
            assertTrue(store.put(na, a), "a later put stores it again");
            assertArrayEquals(a, store.get(na).orElseThrow());
        }
    }

    @Test
    void putNamedNamesAndStoresOnceAndGetUnverifiedLeavesTheCheckToItsCaller() throws IOException {
        byte[] a = object(5);
        Hash32 name = ArchiveNames.objectName(a);
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            assertEquals(name, store.putNamed(a));
            assertEquals(name, store.putNamed(a), "again: already held, same name");
            assertEquals(new FragmentStore.Usage(1, a.length), store.usage());
            assertArrayEquals(a, store.getUnverified(name).orElseThrow());
            assertTrue(store.getUnverified(ArchiveNames.objectName(object(6))).isEmpty());

            byte[] rotten = a.clone();
            rotten[3] ^= 1;
            Files.write(fileOf(name), rotten);
            // Handed out as held, for the caller to hash; nothing is set aside yet...
            assertArrayEquals(rotten, store.getUnverified(name).orElseThrow());
            assertTrue(store.has(name));
            // ...until the caller, having found the mismatch, asks through the checked read.
            assertThrows(CorruptObjectException.class, () -> store.get(name));
            assertFalse(store.has(name));
            assertTrue(store.getUnverified(name).isEmpty());
        }
    }

    @Test
    void aPutOfAnObjectWhoseFileRottedReplacesItInsteadOfAnsweringAlreadyHeld() throws IOException {
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            byte[] a = object(6);
            byte[] b = object(7);
            Hash32 na = ArchiveNames.objectName(a);
            Hash32 nb = ArchiveNames.objectName(b);
            assertTrue(store.put(na, a));
            assertTrue(store.put(nb, b));
            assertFalse(store.put(na, a), "an intact object is already held");
            byte[] flipped = a.clone();
            flipped[50] ^= 1;
            Files.write(fileOf(na), flipped);
            Files.write(fileOf(nb), java.util.Arrays.copyOf(b, 9));

            assertTrue(store.put(na, a), "a rotted file is replaced");
            assertTrue(store.put(nb, b), "a truncated file is replaced");
            assertArrayEquals(a, Files.readAllBytes(fileOf(na)));
            assertArrayEquals(b, store.get(nb).orElseThrow());
            assertFalse(store.put(nb, b));
            assertEquals(new FragmentStore.Usage(2, a.length + b.length), store.usage());
            try (var q = Files.list(dir.resolve("quarantine"))) {
                assertEquals(2, q.count(), "the bad copies are kept for inspection");
            }
        }
    }

    @Test
    void listPagesInAscendingOrder() throws IOException {
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            List<Hash32> all = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                byte[] o = object(i);
                all.add(ArchiveNames.objectName(o));
                store.put(all.getLast(), o);
            }
            all.sort(null);
            List<Hash32> paged = new ArrayList<>();
            Hash32 after = null;
            for (int pages = 0; pages < 100; pages++) {
                List<Hash32> page = store.list(after, 7);
                if (page.isEmpty()) {
                    break;
                }
                assertTrue(page.size() <= 7);
                paged.addAll(page);
                after = page.getLast();
            }
            assertEquals(all, paged);
            assertEquals(all.subList(0, 300), store.list(null, 1000));
            assertEquals(all.subList(101, 106), store.list(all.get(100), 5));
            assertEquals("limit (0) must be >= 1", assertThrows(IllegalArgumentException.class,
                    () -> store.list(null, 0)).getMessage());
        }
    }

    @Test
    void indexLimitsAreEnforcedAndAFullKeyChangesNothing() throws IOException {
        Hash32 key = Hashing.hash(Domain.ARCHIVE_INDEX, new byte[] {9});
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> store.addIndex(key, new byte[0]));
            assertEquals("index value of 4097 bytes must be 1..4096", assertThrows(IllegalArgumentException.class,
                    () -> store.addIndex(key, new byte[FragmentStore.MAX_INDEX_VALUE_BYTES + 1])).getMessage());
            assertTrue(store.addIndex(key, new byte[FragmentStore.MAX_INDEX_VALUE_BYTES]));
            for (int i = 1; i < FragmentStore.MAX_INDEX_VALUES; i++) {
                assertTrue(store.addIndex(key, new byte[] {(byte) i}));
            }
            assertEquals("index key " + key + " already holds 16 values, the maximum", assertThrows(
                    IllegalStateException.class, () -> store.addIndex(key, new byte[] {99})).getMessage());
            assertFalse(store.addIndex(key, new byte[] {1}), "a value already there is still accepted as a no-op");
            assertEquals(16, store.index(key).size());
        }
    }

    @Test
    void aCorruptIndexFileIsReportedNotEmptied() throws IOException {
        Hash32 key = Hashing.hash(Domain.ARCHIVE_INDEX, new byte[] {8});
        try (FileFragmentStore store = FileFragmentStore.open(dir)) {
            store.addIndex(key, new byte[] {1, 2, 3});
            Path file = dir.resolve("index").resolve(key.toHex().substring(0, 2)).resolve(key.toHex());
            byte[] bytes = Files.readAllBytes(file);
            bytes[10] ^= 1;
            Files.write(file, bytes);
            IOException e = assertThrows(IOException.class, () -> store.index(key));
            assertTrue(e.getMessage().endsWith("is corrupt: checksum mismatch"), e.getMessage());
            assertThrows(IOException.class, () -> store.addIndex(key, new byte[] {4}));
        }
    }

    @Test
    void aClosedStoreRefusesWorkAndAnOpenOneCannotBeOpenedTwice() throws IOException {
        FileFragmentStore store = FileFragmentStore.open(dir);
        IOException twice = assertThrows(IOException.class, () -> FileFragmentStore.open(dir));
        assertEquals("fragment store " + dir + " is already open in this process", twice.getMessage());
        store.close();
        assertThrows(IOException.class, () -> store.has(ArchiveNames.objectName(new byte[0])));
        FileFragmentStore.open(dir).close();
    }
}
