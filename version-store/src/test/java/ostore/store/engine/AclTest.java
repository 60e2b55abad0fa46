package ostore.store.engine;

import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.STRANGER;
import static ostore.store.testing.Updates.WRITER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static ostore.store.testing.Updates.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import ostore.crypto.Acl;
import ostore.store.Action;
import ostore.store.Limits;
import ostore.store.Outcome.Rejection;
import ostore.store.testing.EngineHarness;
import org.junit.jupiter.api.Test;

class AclTest {
    private static Rejection rejection(Execution e) {
        return assertInstanceOf(Execution.Reject.class, e).rejected().reason();
    }

    @Test
    void aCreatedObjectIsOwnerOnly() {
        EngineHarness h = new EngineHarness(Limits.DEFAULT);
        h.commit(create(1, always(new Action.Append(text("x")))));
        assertEquals(Acl.ownerOnly(OWNER.publicKey()), h.latest().orElseThrow().root().acl());
        assertEquals(Rejection.NOT_A_WRITER, rejection(h.run(update(WRITER, 1, always(new Action.Truncate(0))))));
    }

    @Test
    void theOwnerAddsAWriterWhoMayThenWrite() {
        EngineHarness h = new EngineHarness(Limits.DEFAULT);
        h.commit(create(1, always(new Action.SetAcl(List.of(WRITER.publicKey()), false))));
        assertEquals(List.of(WRITER.publicKey()), h.latest().orElseThrow().root().acl().writers());
        h.commit(update(WRITER, 1, always(new Action.Append(text("by writer")))));
        assertEquals(2, h.latest().orElseThrow().root().seq());
        assertEquals(Rejection.NOT_A_WRITER, rejection(h.run(update(STRANGER, 1, always(new Action.Truncate(0))))));
    }

    @Test
    void aWriterMayNotChangeTheAcl() {
        EngineHarness h = new EngineHarness(Limits.DEFAULT);
        h.commit(create(1, always(new Action.SetAcl(List.of(WRITER.publicKey()), false))));
        Execution e = h.run(update(WRITER, 2, always(new Action.Append(text("a")),
                new Action.SetAcl(List.of(WRITER.publicKey(), STRANGER.publicKey()), false))));
        assertEquals(Rejection.NOT_THE_OWNER, rejection(e));
        assertEquals(1, h.latest().orElseThrow().root().seq());
    }

    @Test
    void theOwnerRemovesAWriter() {
        EngineHarness h = new EngineHarness(Limits.DEFAULT);
        h.commit(create(1, always(new Action.SetAcl(List.of(WRITER.publicKey()), false))));
        h.commit(update(OWNER, 2, always(new Action.SetAcl(List.of(), true))));
        assertEquals(new Acl(OWNER.publicKey(), List.of(), true), h.latest().orElseThrow().root().acl());
        assertEquals(Rejection.NOT_A_WRITER, rejection(h.run(update(WRITER, 3, always(new Action.Truncate(0))))));
    }

    @Test
    void anUnknownObjectWithoutCreateIsRejected() {
        EngineHarness h = new EngineHarness(Limits.DEFAULT);
        assertEquals(Rejection.UNKNOWN_OBJECT, rejection(h.run(update(OWNER, 1, always()))));
        assertEquals(true, h.latest().isEmpty());
    }
}
