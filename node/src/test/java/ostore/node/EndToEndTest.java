package ostore.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import ostore.api.Protos;
import ostore.api.v1.Comparison;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.Outcome;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import ostore.client.Actions;
import ostore.client.CloseableIterator;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
import ostore.client.Predicates;
import ostore.client.Selectors;
import ostore.client.SignedUpdates;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.client.VerifiedRoot;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The node through the SDK over real gRPC: every read here was verified by the client. */
class EndToEndTest {
    @TempDir
    Path dir;

    private TestNode node;
    private SigningKey key;
    private OstoreClient client;

    @BeforeEach
    void start() throws IOException {
        node = TestNode.start(dir);
        key = TestNode.newKey();
        client = node.client(key);
    }

    @AfterEach
    void stop() {
        client.close();
        node.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 2 << 20})
    void putThenGetReturnsTheSameBytes(int size) {
        byte[] content = bytes(size, size);
        UpdateResult put = client.put("object-" + size, content);
        assertTrue(put.committed());
        VerifiedVersion read = client.read(client.aguidOf("object-" + size), Selectors.latest());
        assertArrayEquals(content, read.data());
        assertEquals(size, read.root().size());
        assertEquals((size + TestNode.MAX_BLOCK_BYTES - 1) / TestNode.MAX_BLOCK_BYTES, read.root().blockCount());
        assertEquals(put.vguid(), read.vguid());
    }

    @Test
    void aTwentyMibVersionStreamsToAnOutputStream() throws Exception {
        Aguid aguid = client.aguidOf("big");
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        int chunk = 5 << 19;
        for (int i = 0; i < 8; i++) {
            byte[] part = bytes(chunk, 100 + i);
            expected.update(part);
            var update = Updates.forObject(aguid).when(Predicates.always()).then(Actions.append(part));
            if (i == 0) {
                update.create(key.publicKey(), "big");
            }
            assertTrue(client.submit(update.build()).committed());
        }
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        long[] written = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                actual.update(b, off, len);
                written[0] += len;
            }
        };
        VerifiedVersion version = client.readTo(aguid, Selectors.latest(), sink);
        assertEquals(20L << 20, written[0]);
        assertEquals(20L << 20, version.root().size());
        assertArrayEquals(expected.digest(), actual.digest());
    }

    @Test
    void aReadCancelledMidStreamLeavesTheNodeServing() throws Exception {
        byte[] content = bytes(2 << 20, 9);
        client.put("cancelled", content);
        ReadRequest request = ReadRequest.newBuilder().setAguid(Protos.toByteString(client.aguidOf("cancelled"))).build();
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            Iterator<ReadResponse> stream = call.call(() -> node.stub.read(request));
            assertTrue(stream.next().hasRoot());
            assertTrue(stream.next().hasBlockList());
            assertTrue(stream.next().hasBlock());
            call.cancel(null);
        }
        assertArrayEquals(content, client.read(client.aguidOf("cancelled"), Selectors.latest()).data());
    }

    @Test
    void aGuardedUpdateCommitsWhenItsPredicateHoldsAndAbortsWhenStale() {
        Aguid aguid = client.aguidOf("guarded");
        client.put("guarded", text("a"));
        UpdateResult fresh = client.submit(appendIf(aguid, 1, "b"));
        assertTrue(fresh.committed());
        assertEquals(2, fresh.root().seq());

        UpdateResult stale = client.submit(appendIf(aguid, 1, "c"));
        assertFalse(stale.committed());
        assertEquals(fresh.vguid(), stale.vguid(), "an abort reports the unchanged latest version");
        assertEquals(-1, stale.entry().getClauseIndex());
        assertFalse(stale.entry().getAbortReason().isEmpty());
        assertArrayEquals(text("ab"), client.read(aguid, Selectors.latest()).data());
    }

    @Test
    void everySelectorReadsTheVersionItNames() {
        Aguid aguid = client.aguidOf("selected");
        UpdateResult v1 = client.put("selected", text("one"));
        UpdateResult v2 = client.put("selected", text("two"));
        UpdateResult v3 = client.put("selected", text("three"));

        assertEquals(v3.vguid(), client.read(aguid, Selectors.latest()).vguid());
        assertArrayEquals(text("one"), client.read(aguid, Selectors.seq(1)).data());
        assertArrayEquals(text("two"), client.read(aguid, Selectors.vguid(v2.vguid())).data());
        assertEquals(v1.vguid(), client.read(aguid, Selectors.asOf(Micros.toInstant(v1.root().timestampMicros()))).vguid());
        assertEquals(v2.vguid(), client.read(aguid, Selectors.asOf(Micros.toInstant(v3.root().timestampMicros() - 1))).vguid());
    }

    @Test
    void aMissingVersionIsNotFoundNamingTheSelector() {
        Aguid aguid = client.aguidOf("sparse");
        UpdateResult v1 = client.put("sparse", text("x"));
        assertNotFound("selector.seq", () -> client.read(aguid, Selectors.seq(2)));
        assertNotFound("selector.as_of_micros",
                () -> client.read(aguid, Selectors.asOf(Micros.toInstant(v1.root().timestampMicros() - 1))));
        assertNotFound("aguid: no object", () -> client.read(client.aguidOf("never-made"), Selectors.latest()));
        assertNotFound("aguid: no object", () -> client.history(client.aguidOf("never-made"), 0, 0));
    }

    @Test
    void historyListsCommitsAndAbortsInOrder() {
        Aguid aguid = client.aguidOf("story");
        client.put("story", text("1"));
        client.submit(appendIf(aguid, 5, "never"));
        client.put("story", text("2"));

        List<HistoryEntry> history = client.history(aguid, 0, 0);
        assertEquals(List.of(Outcome.COMMITTED, Outcome.ABORTED, Outcome.COMMITTED),
                history.stream().map(HistoryEntry::getOutcome).toList());
        assertEquals(List.of(1L, 1L, 2L), history.stream().map(HistoryEntry::getSeq).toList());
        assertEquals(List.of(0L, 1L, 2L), history.stream().map(HistoryEntry::getIndex).toList());
        assertEquals(history.subList(1, 2), client.history(aguid, 1, 1));
    }

    @Test
    void watchSendsExistingVersionsThenNewOnes() throws Exception {
        Aguid aguid = client.aguidOf("watched");
        client.put("watched", text("v1"));
        client.put("watched", text("v2"));
        try (CloseableIterator<VerifiedRoot> versions = client.watch(aguid, 2)) {
            assertEquals(2, versions.next().root().seq());
            UpdateResult v3 = client.put("watched", text("v3"));
            VerifiedRoot next = versions.next();
            assertEquals(3, next.root().seq());
            assertEquals(v3.vguid(), next.vguid());
        }
    }

    @Test
    void watchOnAnObjectNotYetCreatedSeesItsCreation() throws Exception {
        Aguid aguid = client.aguidOf("future");
        try (CloseableIterator<VerifiedRoot> versions = client.watch(aguid, 0)) {
            UpdateResult created = client.put("future", text("now"));
            assertEquals(created.vguid(), versions.next().vguid());
        }
    }

    @Test
    void anUpdateByAWriterOnTheAclCommits() {
        SigningKey friend = TestNode.newKey();
        Aguid aguid = client.aguidOf("shared");
        client.put("shared", text("mine"));
        client.submit(Updates.forObject(aguid).when(Predicates.always())
                .then(Actions.setAcl(List.of(friend.publicKey()), false)).build());
        try (OstoreClient other = node.client(friend)) {
            UpdateResult theirs = other.submit(Updates.forObject(aguid).when(Predicates.always())
                    .then(Actions.append(text(" and theirs"))).build());
            assertTrue(theirs.committed());
            assertEquals(friend.publicKey().toHex(), hex(theirs.entry().getWriter().toByteArray()));
        }
        assertArrayEquals(text("mine and theirs"), client.read(aguid, Selectors.latest()).data());
    }

    @Test
    void aRepeatedUpdateIsAnsweredWithTheFirstReplyAndAppliedOnce() {
        Aguid aguid = client.aguidOf("once");
        client.put("once", text("a"));
        SignedUpdate signed = SignedUpdates.sign(appendIf(aguid, 1, "b"), key);
        UpdateReply first = node.stub.update(signed);
        UpdateReply again = node.stub.update(signed);

        assertEquals(first, again);
        assertEquals(Outcome.COMMITTED, first.getOutcome());
        assertEquals(2, client.history(aguid, 0, 0).size());
        assertArrayEquals(text("ab"), client.read(aguid, Selectors.latest()).data());
    }

    @Test
    void aRepeatedAbortIsAnsweredWithTheSameAbort() {
        Aguid aguid = client.aguidOf("twice");
        client.put("twice", text("a"));
        SignedUpdate stale = SignedUpdates.sign(appendIf(aguid, 9, "b"), key);
        UpdateReply first = node.stub.update(stale);
        assertEquals(Outcome.ABORTED, first.getOutcome());
        assertEquals(first, node.stub.update(stale));
        assertEquals(2, client.history(aguid, 0, 0).size());
    }

    private static void assertNotFound(String fragment, Runnable call) {
        OstoreException e = assertThrows(OstoreException.class, call::run);
        assertEquals(Status.Code.NOT_FOUND, e.code());
        assertTrue(e.detail().contains(fragment), () -> "'" + e.detail() + "' names " + fragment);
    }

    static ostore.api.v1.Update appendIf(Aguid aguid, long seq, String appended) {
        return Updates.forObject(aguid).when(Predicates.version(Comparison.EQ, seq))
                .then(Actions.append(text(appended))).build();
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
