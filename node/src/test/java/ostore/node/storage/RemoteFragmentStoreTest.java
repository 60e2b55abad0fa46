package ostore.node.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ostore.archive.store.CorruptObjectException;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract through gRPC: a {@link RemoteFragmentStore} against a {@link StorageNode} on a free
 * loopback port, plus what only a remote store has — a node that stops, restarts or lies on disk.
 */
@Timeout(120)
class RemoteFragmentStoreTest extends FragmentStoreContract {
    private StorageNode node;

    @Override
    FragmentStore open(Path dir) throws IOException {
        node = StorageNode.start(dir.resolve("node"), "127.0.0.1", 0);
        return remote();
    }

    /** Runs before the contract closes the remote store (a subclass's after-each runs first). */
    @AfterEach
    void stopNode() {
        node.close();
    }

    private RemoteFragmentStore remote() {
        return RemoteFragmentStore.connect(node.address(), Duration.ofSeconds(30));
    }

    @Test
    void whatWasPutSurvivesTheNodeClosingAndOpeningAgainOnItsDirectory() throws IOException {
        byte[] data = bytes("durable fragment");
        Hash32 name = nameOf(data);
        try (RemoteFragmentStore r = remote()) {
            assertTrue(r.put(name, data));
            assertTrue(r.addIndex(key(9), bytes("manifest")));
        }
        Path nodeDir = node.dataDir();
        node.close();
        node = StorageNode.start(nodeDir, "127.0.0.1", 0);
        try (RemoteFragmentStore r = remote()) {
            assertArrayEquals(data, r.get(name).orElseThrow());
            assertEquals(List.of("manifest"), r.index(key(9)).stream().map(String::new).toList());
            assertEquals(new FragmentStore.Usage(1, data.length), r.usage());
        }
    }

    @Test
    void aStoppedNodeFailsEveryCallWithAnIOExceptionNamingIt() throws IOException {
        String address = node.address();
        node.close();
        try (RemoteFragmentStore r = RemoteFragmentStore.connect(address, Duration.ofSeconds(5))) {
            Hash32 name = nameOf(bytes("x"));
            List<IOException> failures = new ArrayList<>();
            failures.add(assertThrows(IOException.class, () -> r.get(name)));
            failures.add(assertThrows(IOException.class, () -> r.put(name, bytes("x"))));
            failures.add(assertThrows(IOException.class, () -> r.has(name)));
            failures.add(assertThrows(IOException.class, () -> r.list(null, 5)));
            failures.add(assertThrows(IOException.class, () -> r.usage()));
            for (IOException e : failures) {
                assertFalse(e instanceof CorruptObjectException, e.toString());
                assertTrue(e.getMessage().startsWith("storage node " + address + ": "), e.getMessage());
                assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
                assertEquals(Status.Code.UNAVAILABLE,
                        assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode());
            }
        }
    }

    @Test
    void anObjectCorruptOnTheNodeIsACorruptObjectExceptionAndThenNotHeld() throws IOException {
        byte[] data = bytes("will rot");
        Hash32 name = nameOf(data);
        try (RemoteFragmentStore r = remote()) {
            r.put(name, data);
            Disk.overwrite(node.dataDir(), name, bytes("rotten"));
            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> r.get(name));
            assertEquals(name, e.name());
            assertTrue(e.getMessage().startsWith("storage node " + node.address() + ": object " + name.toHex()),
                    e.getMessage());
            assertFalse(r.has(name));
            assertEquals(Optional.empty(), r.get(name));
            assertTrue(r.put(name, data), "a later put stores it again");
            assertArrayEquals(data, r.get(name).orElseThrow());
        }
    }

    @Test
    void getUnverifiedSkipsOnlyThisSidesHashTheNodeStillChecksItsCopy() throws IOException {
        byte[] data = bytes("fetched for a restorer that hashes it");
        Hash32 name = nameOf(data);
        try (RemoteFragmentStore r = remote()) {
            assertEquals(name, r.putNamed(data));
            assertArrayEquals(data, r.getUnverified(name).orElseThrow());
            assertEquals(Optional.empty(), r.getUnverified(nameOf(bytes("never put"))));
            Disk.overwrite(node.dataDir(), name, bytes("rotten"));
            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> r.getUnverified(name));
            assertEquals(name, e.name());
            assertEquals(Optional.empty(), r.getUnverified(name), "set aside by the node");
        }
    }

    @Test
    void hasAllAnswersForEachNameInOrder() throws IOException {
        byte[] a = bytes("a");
        byte[] c = bytes("c");
        try (RemoteFragmentStore r = remote()) {
            r.put(nameOf(a), a);
            r.put(nameOf(c), c);
            assertEquals(List.of(true, false, true), r.hasAll(List.of(nameOf(a), nameOf(bytes("b")), nameOf(c))));
            assertEquals(List.of(), r.hasAll(List.of()));
        }
    }

    @Test
    void listAcrossMoreThanOnePageOfTheWire() throws IOException {
        try (RemoteFragmentStore r = remote()) {
            List<Hash32> names = new ArrayList<>();
            // Every put is synced to disk: 16 at a time, or this test waits on the disk for half a minute.
            try (ExecutorService puts = Executors.newFixedThreadPool(16)) {
                List<Future<Boolean>> done = new ArrayList<>();
                for (int i = 0; i < StorageService.MAX_LIST_NAMES + 10; i++) {
                    byte[] data = bytes("n" + i);
                    names.add(nameOf(data));
                    done.add(puts.submit(() -> r.put(nameOf(data), data)));
                }
                for (Future<Boolean> f : done) {
                    assertTrue(f.get());
                }
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
            names.sort(null);
            assertEquals(names, r.list(null, names.size() + 5));
            assertEquals(names.subList(1, StorageService.MAX_LIST_NAMES + 6),
                    r.list(names.getFirst(), StorageService.MAX_LIST_NAMES + 5));
        }
    }
}
