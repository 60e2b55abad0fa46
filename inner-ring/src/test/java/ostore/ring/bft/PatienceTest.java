package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ostore.crypto.SigningKey;
import org.junit.jupiter.api.Test;

/**
 * A ring whose views keep ending soon after they began is slow, not led by faulty primaries (at
 * most f are): each such view doubles how long a request may wait before a replica suspects the
 * primary, and a long stretch of progress in one view halves it again ({@link Suspicions}).
 */
class PatienceTest {
    private static final long SECOND = 1_000_000;
    private static final long TIMEOUT = 200_000;
    private static final RingConfig.Params PARAMS = new RingConfig.Params(4, 1_000, 2, 4, TIMEOUT, 5 * SECOND);
    private final SigningKey client = SigningKey.fromSeed(new byte[32]);
    private long nonce;

    @Test
    void viewsThatEndQuicklyLengthenTheRequestTimeoutAndProgressShortensItAgain() {
        RingHarness h = new RingHarness(PARAMS);
        update(h);
        assertTimeouts(h, 0, TIMEOUT, 0, 1, 2, 3);

        // View 0's primary falls silent a second after the start: view 1 comes within 16 T of view 0's start.
        h.silent.add(0);
        update(h);
        h.run(2 * SECOND);
        h.silent.clear();
        update(h);
        // Replica 0 took no part (it learnt view 1 from its peers' NEW-VIEW): only the others count it.
        assertTimeouts(h, 1, 2 * TIMEOUT, 1, 2, 3);

        // And view 1's primary too, a few seconds into its view: view 2, as quickly.
        h.silent.add(1);
        update(h);
        h.run(2 * SECOND);
        h.silent.clear();
        update(h);
        assertTimeouts(h, 2, 4 * TIMEOUT, 2, 3);

        // 64 timeouts of progress in view 2 (at 4 T, 51.2 s) halve it; 64 more (at 2 T, 25.6 s) halve it again.
        for (int s = 0; s < 56; s++) {
            update(h);
        }
        assertTimeouts(h, 2, 2 * TIMEOUT, 2, 3);
        for (int s = 0; s < 28; s++) {
            update(h);
        }
        assertTimeouts(h, 2, TIMEOUT, 0, 1, 2, 3);
    }

    /** Submits one update to every replica and runs the ring a second. */
    private void update(RingHarness h) {
        h.submitToAll(TestUpdates.append(client, "object-0", ++nonce, "update " + nonce));
        h.run(SECOND);
    }

    private static void assertTimeouts(RingHarness h, long view, long requestTimeout, int... replicas) {
        for (int r : replicas) {
            Replica replica = h.replicas.get(r);
            assertEquals(view, replica.status().view(), "replica " + r + "'s view");
            assertEquals(requestTimeout, replica.viewChanger.suspicions.requestTimeout(),
                    "replica " + r + "'s request timeout in view " + view);
        }
    }
}
