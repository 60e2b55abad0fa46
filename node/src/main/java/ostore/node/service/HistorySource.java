package ostore.node.service;

import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.Deque;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.HistoryRequest;
import ostore.crypto.Aguid;
import ostore.node.wire.WireFields;
import ostore.store.VersionStore;

/** An object's history, fetched from the store a page at a time as the client takes it. */
final class HistorySource implements OutboundPump.Source<HistoryEntry> {
    /** Entries per store query: large enough to amortise the lookup, small enough to hold. */
    static final int PAGE = 512;

    private final VersionStore store;
    private final Aguid aguid;
    private final Deque<ostore.store.HistoryEntry> page = new ArrayDeque<>(PAGE);
    private long nextIndex;
    /** Entries still to send; -1 for no limit. */
    private long remaining;
    private boolean exhausted;

    private HistorySource(VersionStore store, Aguid aguid, long fromIndex, long limit) {
        this.store = store;
        this.aguid = aguid;
        this.nextIndex = fromIndex;
        this.remaining = limit == 0 ? -1 : limit;
    }

    static HistorySource open(VersionStore store, HistoryRequest request) {
        Aguid aguid = new Aguid(WireFields.hash32(request.getAguid(), "aguid"));
        long from = WireFields.nonNegative(request.getFromIndex(), "from_index");
        long limit = WireFields.nonNegative(request.getLimit(), "limit");
        if (store.history(aguid, 0, 1).isEmpty()) {
            throw Statuses.status(Status.Code.NOT_FOUND, "aguid: no object " + aguid.toHex());
        }
        return new HistorySource(store, aguid, from, limit);
    }

    @Override
    public HistoryEntry next() {
        if (page.isEmpty() && !exhausted && remaining != 0) {
            long want = remaining < 0 ? PAGE : Math.min(PAGE, remaining);
            page.addAll(store.history(aguid, nextIndex, want));
            exhausted = page.size() < want;
        }
        ostore.store.HistoryEntry e = page.poll();
        if (e == null) {
            return null;
        }
        assert e.index() == nextIndex : "history is dense and in order";
        nextIndex++;
        if (remaining > 0) {
            remaining--;
        }
        return Replies.entry(e);
    }
}
