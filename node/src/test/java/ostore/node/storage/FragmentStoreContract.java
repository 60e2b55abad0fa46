package ostore.node.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link FragmentStore} must do, written once and run against each kind of store (a
 * local one on files, a remote one over gRPC), so a remote node is a drop-in for a local store.
 * Each refused call is followed by a check that nothing changed.
 */
abstract class FragmentStoreContract {
    @TempDir
    Path dir;

    FragmentStore store;

    /** A new, empty store kept in {@code dir}; the test closes it. */
    abstract FragmentStore open(Path dir) throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        store = open(dir);
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Hash32 nameOf(byte[] bytes) {
        return ArchiveNames.objectName(bytes);
    }

    static Hash32 key(long seq) {
        return ArchiveNames.indexKey(new Aguid(Hash32.of(new byte[32])), seq);
    }

    @Test
    void aPutObjectComesBackByteForByteAndASecondPutChangesNothing() throws IOException {
        byte[] data = bytes("fragment zero");
        Hash32 name = nameOf(data);
        assertFalse(store.has(name));
        assertEquals(Optional.empty(), store.get(name));

        assertTrue(store.put(name, data), "new");
        assertTrue(store.has(name));
        assertArrayEquals(data, store.get(name).orElseThrow());
        assertEquals(new FragmentStore.Usage(1, data.length), store.usage());

        assertFalse(store.put(name, data.clone()), "already held");
        assertEquals(new FragmentStore.Usage(1, data.length), store.usage());
    }

    @Test
    void theEmptyObjectIsAnObjectLikeAnyOther() throws IOException {
        byte[] empty = new byte[0];
        assertTrue(store.put(nameOf(empty), empty));
        assertArrayEquals(empty, store.get(nameOf(empty)).orElseThrow());
        assertEquals(new FragmentStore.Usage(1, 0), store.usage());
    }

    @Test
    void bytesThatDoNotMatchTheirNameAreRefusedAndNothingIsStored() throws IOException {
        byte[] data = bytes("what was sent");
        Hash32 claimed = nameOf(bytes("what the name says"));
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.put(claimed, data));
        assertEquals(claimed, e.name());
        assertFalse(store.has(claimed));
        assertFalse(store.has(nameOf(data)));
        assertEquals(new FragmentStore.Usage(0, 0), store.usage());
        assertEquals(List.of(), store.list(null, 10));
    }

    @Test
    void anObjectOverTheLimitIsRefusedAndNothingIsStored() throws IOException {
        byte[] big = new byte[FragmentStore.MAX_OBJECT_BYTES + 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.put(nameOf(big), big));
        assertTrue(e.getMessage().contains(Integer.toString(FragmentStore.MAX_OBJECT_BYTES)), e.getMessage());
        assertEquals(new FragmentStore.Usage(0, 0), store.usage());
    }

    @Test
    void listPagesThroughTheNamesInAscendingOrder() throws IOException {
        List<Hash32> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] data = bytes("object " + i);
            store.put(nameOf(data), data);
            names.add(nameOf(data));
        }
        names.sort(null);
        assertEquals(names, store.list(null, 100));
        assertEquals(names.subList(0, 7), store.list(null, 7));
        assertEquals(names.subList(8, 15), store.list(names.get(7), 7));
        assertEquals(names.subList(19, 20), store.list(names.get(18), 7));
        assertEquals(List.of(), store.list(names.get(19), 7));
        assertThrows(IllegalArgumentException.class, () -> store.list(null, 0));
    }

    @Test
    void indexValuesAccumulateInOrderWithoutDuplicates() throws IOException {
        assertEquals(List.of(), store.index(key(1)));
        assertTrue(store.addIndex(key(1), bytes("manifest a")));
        assertTrue(store.addIndex(key(1), bytes("manifest b")));
        assertFalse(store.addIndex(key(1), bytes("manifest a")), "already there");
        assertEquals(List.of("manifest a", "manifest b"), strings(store.index(key(1))));
        assertEquals(List.of(), store.index(key(2)), "keys are independent");
    }

    @Test
    void aFullIndexKeyRefusesANewValueAndKeepsItsValues() throws IOException {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < FragmentStore.MAX_INDEX_VALUES; i++) {
            values.add("value " + i);
            assertTrue(store.addIndex(key(3), bytes("value " + i)));
        }
        assertThrows(IllegalStateException.class, () -> store.addIndex(key(3), bytes("one too many")));
        assertFalse(store.addIndex(key(3), bytes("value 0")), "a value already there is still not new");
        assertEquals(values, strings(store.index(key(3))));
    }

    @Test
    void badIndexValuesAreRefusedAndChangeNothing() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> store.addIndex(key(4), new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> store.addIndex(key(4), new byte[FragmentStore.MAX_INDEX_VALUE_BYTES + 1]));
        assertEquals(List.of(), store.index(key(4)));
        byte[] largest = new byte[FragmentStore.MAX_INDEX_VALUE_BYTES];
        largest[0] = 7;
        assertTrue(store.addIndex(key(4), largest));
        assertArrayEquals(largest, store.index(key(4)).getFirst());
    }

    private static List<String> strings(List<byte[]> values) {
        return values.stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
    }
}
