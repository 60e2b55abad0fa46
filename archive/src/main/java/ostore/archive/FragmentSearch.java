package ostore.archive;

import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.crypto.Hash32;

/**
 * Where to look for a fragment its placed node did not give: the holder a {@link FragmentLocator}
 * lookup names, then every other node that is not down. This is the one-at-a-time phase of a
 * stripe fetch ({@link #search}) and the question {@link ManifestChecks} asks too ({@link #holder}).
 *
 * <p>Why a class of its own: it is the only part of reading that depends on the routing hint, and
 * two callers ask it, so one place decides which named holder is worth a request (not the placed
 * node, already asked; not a node found down; a number placement knows) and how a lookup that
 * breaks is treated (as finding nothing). It never sees bytes: every node it picks is asked
 * through the caller's request, which for {@link FragmentFetcher} is the same checked request a
 * placed node gets, so a wrong or lying hint costs a request, never a wrong byte.
 */
final class FragmentSearch {
    private static final Logger LOG = Logger.getLogger(FragmentSearch.class.getName());

    private final ArchiveNodes nodes;
    private final FetchLog log;
    private final FragmentLocator locator;

    FragmentSearch(ArchiveNodes nodes, FetchLog log, FragmentLocator locator) {
        this.nodes = nodes;
        this.log = log;
        this.locator = locator;
    }

    /** Asks one node for one fragment and adds what it gave to the stripe. */
    @FunctionalInterface
    interface Probe {
        void ask(int node, int shard) throws InterruptedException;
    }

    /**
     * For each fragment of {@code s} still missing, in shard order and while fewer than
     * {@code want} are good: the holder a lookup names, and only if that gives nothing intact, every
     * other node in turn. Counts lookups, fallbacks and fragments found each way into {@code s}.
     *
     * @param p the read-ahead this runs for, or null; once it is cancelled nothing more is asked
     */
    void search(Manifest m, FragmentFetcher.StripeShards s, int want, FragmentFetcher.Pending p, Probe probe)
            throws InterruptedException {
        StripeFragments placed = m.stripes().get(s.stripe);
        for (int i = 0; i < s.present.length && s.good < want; i++) {
            if (s.present[i]) {
                continue;
            }
            checkCancelled(p, s.stripe);
            int routedTo = -1;
            FragmentLocator.Lookup found = lookup(placed.name(i));
            if (found != null) {
                s.lookups++;
                if (found.usedFallback()) {
                    s.fallbacks++;
                }
                routedTo = worthAsking(found.holder(), placed.node(i));
            }
            checkCancelled(p, s.stripe);
            if (routedTo >= 0) {
                probe.ask(routedTo, i);
                if (s.present[i]) {
                    s.routed++;
                    continue;
                }
            }
            for (int node = 0; node < nodes.count() && !s.present[i]; node++) {
                if (node == placed.node(i) || node == routedTo) {
                    continue;
                }
                checkCancelled(p, s.stripe);
                if (log.isDown(node)) {
                    s.downFound.add(node);
                    continue;
                }
                probe.ask(node, i);
                if (s.present[i]) {
                    s.swept++;
                }
            }
        }
    }

    /** The holder a lookup names for {@code name}, if worth asking (see the class comment); else -1. Not counted. */
    int holder(Hash32 name, int placed) {
        FragmentLocator.Lookup found = lookup(name);
        return found == null ? -1 : worthAsking(found.holder(), placed);
    }

    /** What the locator says of {@code name}; null with no locator ({@link FragmentLocator#NONE}: no lookup made). */
    private FragmentLocator.Lookup lookup(Hash32 name) {
        if (locator == FragmentLocator.NONE) {
            return null;
        }
        try {
            return locator.locate(name, log::isDown);
        } catch (RuntimeException e) {
            // A lookup that breaks finds nothing; every other node is still asked.
            LOG.log(Level.WARNING, "locating fragment " + name + " failed unexpectedly", e);
            return FragmentLocator.Lookup.NOT_FOUND;
        }
    }

    private int worthAsking(int holder, int placed) {
        return holder < 0 || holder >= nodes.count() || holder == placed || log.isDown(holder) ? -1 : holder;
    }

    private static void checkCancelled(FragmentFetcher.Pending p, int stripe) throws InterruptedException {
        if (p != null && p.cancelled() || Thread.interrupted()) {
            throw new InterruptedException("fetch of stripe " + stripe + " cancelled");
        }
    }
}
