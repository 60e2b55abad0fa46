package ostore.store.memory;

import static ostore.store.testing.Updates.AGUID;
import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static ostore.store.testing.Updates.update;
import static ostore.store.testing.Updates.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import ostore.crypto.Aguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;
import ostore.store.Action;
import ostore.store.ArchivedVersion;
import ostore.store.Comparison;
import ostore.store.Outcome;
import ostore.store.Predicate;
import ostore.store.Selector;
import ostore.store.SnapshotPage;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;
import ostore.store.core.AbstractVersionStore;
import ostore.store.rocks.RocksVersionStore;
import ostore.store.testing.RandomUpdates;
import ostore.store.testing.RandomUpdates.Op;
import ostore.store.testing.RandomUpdates.Step;
import ostore.store.testing.StoreSnapshot;
import ostore.store.testing.TempDirs;
import ostore.store.testing.TestRing;

/**
 * Versions installed from the deep archive ({@link VersionStore#installArchived}) must read back as
 * the ring certified them, give every store that installs the same versions in the same order the
 * same records and store digest, survive being installed again (after a crash, too), refuse
 * anything that does not verify while writing nothing, and let updates continue on top.
 */
class ArchivedInstallTest {
    private static final int COLORS = 4;

    /** One archived version with its block bytes and its object's color, as a rebuild meets it. */
    record Archived(ArchivedVersion version, List<byte[]> blocks, int color) {}

    @Provide
    Arbitrary<Op> ops() {
        return RandomUpdates.ops();
    }

    @Property(tries = 30)
    void everyStoreInstallsTheSameVersionsToTheSameState(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops) {
        MemoryVersionStore source = certifiedSource(RandomUpdates.toUpdates(ops));
        List<Archived> archive = archiveOf(source, RandomUpdates.OBJECTS);
        MemoryVersionStore memory = new MemoryVersionStore(RandomUpdates.LIMITS);
        assertEquals(archive.size(), installAll(memory, archive));
        withRocks(rocks -> {
            assertEquals(archive.size(), installAll(rocks, archive));
            assertEquals(StoreSnapshot.of(memory, RandomUpdates.OBJECTS), StoreSnapshot.of(rocks, RandomUpdates.OBJECTS));
            assertEquals(digests(memory), digests(rocks));
            StoreSnapshot before = StoreSnapshot.of(rocks, RandomUpdates.OBJECTS);
            List<Hash32> digests = digests(rocks);
            assertEquals(0, installAll(rocks, archive), "every version is already there");
            assertEquals(before, StoreSnapshot.of(rocks, RandomUpdates.OBJECTS), "installing again changes nothing");
            assertEquals(digests, digests(rocks));
        });
        StoreSnapshot rebuilt = StoreSnapshot.of(memory, RandomUpdates.OBJECTS);
        StoreSnapshot original = StoreSnapshot.of(source, RandomUpdates.OBJECTS);
        for (Aguid a : RandomUpdates.OBJECTS) {
            var got = rebuilt.objects().get(a);
            var want = original.objects().get(a);
            assertEquals(want.versions(), got.versions(), "versions of " + a);
            assertEquals(want.blocks(), got.blocks());
            assertEquals(want.certificates(), got.certificates());
            assertEquals(want.asOf(), got.asOf());
            assertEquals(want.byVguid(), got.byVguid());
            assertEquals(List.of(), got.history(), "the archive keeps versions, not history");
        }
    }

    @Property(tries = 20)
    void aRebuiltColorTravelsBySnapshotLikeAnyOther(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops,
            @ForAll @IntRange(min = 1, max = 2000) int pageBytes) {
        List<Archived> archive = archiveOf(certifiedSource(RandomUpdates.toUpdates(ops)), RandomUpdates.OBJECTS);
        MemoryVersionStore rebuilt = new MemoryVersionStore(RandomUpdates.LIMITS);
        installAll(rebuilt, archive);
        withRocks(peer -> {
            for (int color = 0; color < COLORS; color++) {
                peer.clearColor(color);
                long after = -1;
                for (int pages = 0; pages < 1000; pages++) {
                    SnapshotPage page = rebuilt.snapshot(color, after, Long.MAX_VALUE, pageBytes);
                    peer.install(color, page);
                    page.certificates().forEach(c -> peer.attachCertificate(c.aguid(), c.seq(), c.certificate()));
                    after = page.lastPosition();
                    if (page.complete()) {
                        break;
                    }
                }
                peer.finishInstall(color);
            }
            assertEquals(digests(rebuilt), digests(peer));
            assertEquals(StoreSnapshot.of(rebuilt, RandomUpdates.OBJECTS), StoreSnapshot.of(peer, RandomUpdates.OBJECTS));
        });
    }

    @Property(tries = 20)
    void aRebuildCutShortByACrashIsFinishedByRunningItAgain(
            @ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops, @ForAll @IntRange(min = 0, max = 40) int synced,
            @ForAll @IntRange(min = 0, max = 40) int lost) {
        List<Archived> archive = archiveOf(certifiedSource(RandomUpdates.toUpdates(ops)), RandomUpdates.OBJECTS);
        MemoryVersionStore clean = new MemoryVersionStore(RandomUpdates.LIMITS);
        installAll(clean, archive);
        MemoryVersionStore crashing = new MemoryVersionStore(RandomUpdates.LIMITS);
        int durable = Math.min(synced, archive.size());
        installAll(crashing, archive.subList(0, durable));
        crashing.sync();
        installAll(crashing, archive.subList(durable, Math.min(archive.size(), durable + lost)));
        MemoryVersionStore restarted = crashing.crashed();
        assertEquals(archive.size() - durable, installAll(restarted, archive), "the versions the crash lost, again");
        assertEquals(digests(clean), digests(restarted));
        assertEquals(StoreSnapshot.of(clean, RandomUpdates.OBJECTS), StoreSnapshot.of(restarted, RandomUpdates.OBJECTS));
    }

    @Example
    void updatesContinueFromTheLastArchivedVersion() {
        MemoryVersionStore source = new MemoryVersionStore(RandomUpdates.LIMITS);
        source.apply(create(1, always(new Action.Append(text("first")))), 10, 0, 0);
        source.apply(update(OWNER, 2, always(new Action.Append(text(" second")))), 20, 0, 1);
        certifyAll(source, List.of(AGUID));
        withRocks(rebuilt -> {
            installAll(rebuilt, archiveOf(source, List.of(AGUID)));
            StoredVersion two = rebuilt.read(AGUID, new Selector.Latest()).orElseThrow();
            assertEquals(2, two.root().seq());
            assertEquals(source.read(AGUID, new Selector.BySeq(2)), Optional.of(two));
            assertEquals(Optional.empty(), rebuilt.findByNonce(AGUID, OWNER.publicKey(), 2),
                    "nonces are not archived: a rebuilt store knows none");
            Outcome o = rebuilt.apply(update(OWNER, 3, when(new Predicate.CompareVersion(Comparison.EQ, 2),
                    new Action.Append(text(" third")))), 30, 0, 1 << 16);
            StoredVersion three = assertInstanceOf(Outcome.Committed.class, o).version();
            assertEquals(3, three.root().seq());
            assertEquals(Optional.of(two.vguid()), three.root().predecessor());
            assertEquals(0, assertInstanceOf(Outcome.Committed.class, o).entry().index(), "history starts here");
            Outcome stale = rebuilt.apply(update(OWNER, 4, when(new Predicate.CompareVersion(Comparison.EQ, 2),
                    new Action.Append(text("!")))), 40, 0, (1 << 16) + 1);
            assertInstanceOf(Outcome.Aborted.class, stale, "the guard sees seq 3");
        });
    }

    @Example
    void whatDoesNotVerifyIsRefusedAndWritesNothing() {
        MemoryVersionStore source = new MemoryVersionStore(RandomUpdates.LIMITS);
        source.apply(create(1, always(new Action.Append(text("first")))), 10, 0, 0);
        source.apply(update(OWNER, 2, always(new Action.Append(text(" second")))), 20, 0, 1);
        certifyAll(source, List.of(AGUID));
        List<Archived> archive = archiveOf(source, List.of(AGUID));
        ArchivedVersion one = archive.get(0).version();
        ArchivedVersion two = archive.get(1).version();
        MemoryVersionStore target = new MemoryVersionStore(RandomUpdates.LIMITS);
        archive.forEach(a -> a.blocks().forEach(target::stageBlock));
        VersionStore.CertificateCheck check = TestRing.check();

        ArchivedVersion forged = new ArchivedVersion(one.root(), one.blocks(), TestRing.forge(one.version()));
        assertMessage("does not verify", assertThrows(IllegalArgumentException.class,
                () -> target.installArchived(forged, 0, 0, check)));
        ArchivedVersion otherSeq = new ArchivedVersion(one.root(), one.blocks(), two.certificate());
        assertMessage("not a commit of", assertThrows(IllegalArgumentException.class,
                () -> target.installArchived(otherSeq, 0, 0, check)));
        VersionRoot r = one.root();
        VersionRoot later = new VersionRoot(r.aguid(), 1, Optional.empty(), r.size(), r.blockCount(), r.blocksRoot(),
                r.timestampMicros() + 1, r.acl(), r.updateDigest());
        ArchivedVersion renamed = new ArchivedVersion(later, one.blocks(), one.certificate());
        assertMessage("but its certificate certifies", assertThrows(IllegalArgumentException.class,
                () -> target.installArchived(renamed, 0, 0, check)));
        assertMessage("next version of the object is 1", assertThrows(IllegalArgumentException.class,
                () -> target.installArchived(two, 0, 0, check)));
        assertThrows(IllegalArgumentException.class, () -> new ArchivedVersion(one.root(), two.blocks(),
                one.certificate()), "a block list that is not the root's");
        MemoryVersionStore bare = new MemoryVersionStore(RandomUpdates.LIMITS);
        assertMessage("which is not stored", assertThrows(IllegalArgumentException.class,
                () -> bare.installArchived(one, 0, 0, check)));
        assertEquals(AbstractVersionStore.EMPTY_DIGEST, target.storeDigest(0), "nothing refused was written");
        assertEquals(-1, target.appliedPosition(0));
        assertEquals(Optional.empty(), target.read(AGUID, new Selector.Latest()));

        assertTrue(target.installArchived(one, 0, 5, check));
        assertMessage("must exceed the applied position", assertThrows(IllegalStateException.class,
                () -> target.installArchived(two, 0, 5, check)));
        MemoryVersionStore conflicting = new MemoryVersionStore(RandomUpdates.LIMITS);
        conflicting.apply(create(1, always(new Action.Append(text("other")))), 10, 0, 0);
        StoredVersion theirs = conflicting.read(AGUID, new Selector.BySeq(1)).orElseThrow();
        ArchivedVersion other = new ArchivedVersion(theirs.root(), theirs.blocks(), TestRing.certify(theirs));
        blocksOf(conflicting, theirs).forEach(target::stageBlock);
        Hash32 digest = target.storeDigest(0);
        assertMessage("the store and the archive disagree", assertThrows(IllegalStateException.class,
                () -> target.installArchived(other, 0, 6, check)));
        assertEquals(digest, target.storeDigest(0));
        assertFalse(target.installArchived(one, 0, 6, check), "the same version again is a no-op");
        assertEquals(5, target.appliedPosition(0));
        assertTrue(target.installArchived(two, 0, 6, check));
        assertNotEquals(digest, target.storeDigest(0));
    }

    private static void assertMessage(String part, Exception e) {
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** A store that applied {@code steps}, with a real ring certificate on every version. */
    private static MemoryVersionStore certifiedSource(List<Step> steps) {
        MemoryVersionStore source = new MemoryVersionStore(RandomUpdates.LIMITS);
        steps.forEach(s -> source.apply(s.update(), s.timestampMicros(), s.color(), s.position()));
        certifyAll(source, RandomUpdates.OBJECTS);
        return source;
    }

    private static void certifyAll(VersionStore store, List<Aguid> objects) {
        for (Aguid a : objects) {
            long latest = store.read(a, new Selector.Latest()).map(v -> v.root().seq()).orElse(0L);
            for (long seq = 1; seq <= latest; seq++) {
                store.attachCertificate(a, seq, TestRing.certify(store.read(a, new Selector.BySeq(seq)).orElseThrow()));
            }
        }
    }

    /** What the archive holds of {@code objects}: every version, object by object, in seq order. */
    private static List<Archived> archiveOf(VersionStore source, List<Aguid> objects) {
        List<Archived> archive = new ArrayList<>();
        for (Aguid a : objects) {
            long latest = source.read(a, new Selector.Latest()).map(v -> v.root().seq()).orElse(0L);
            for (long seq = 1; seq <= latest; seq++) {
                StoredVersion v = source.read(a, new Selector.BySeq(seq)).orElseThrow();
                archive.add(new Archived(new ArchivedVersion(v.root(), v.blocks(),
                        source.certificate(a, seq).orElseThrow()), blocksOf(source, v),
                        Byte.toUnsignedInt(a.toBytes()[0]) % COLORS));
            }
        }
        return archive;
    }

    private static List<byte[]> blocksOf(VersionStore store, StoredVersion v) {
        return v.blocks().stream().map(BlockListHash.Entry::bguid).map(b -> store.block(b).orElseThrow()).toList();
    }

    /** Stages and installs each version in order, each at its color's next position; returns how many were new. */
    private static int installAll(VersionStore target, List<Archived> archive) {
        int installed = 0;
        for (Archived a : archive) {
            a.blocks().forEach(target::stageBlock);
            if (target.installArchived(a.version(), a.color(), target.appliedPosition(a.color()) + 1,
                    TestRing.check())) {
                installed++;
            }
        }
        return installed;
    }

    private static List<Hash32> digests(VersionStore store) {
        return IntStream.range(0, COLORS).mapToObj(store::storeDigest).toList();
    }

    private static void withRocks(Consumer<RocksVersionStore> body) {
        TempDirs.withTempDir("ostore-archived", dir -> {
            try (RocksVersionStore store = RocksVersionStore.open(dir, RandomUpdates.LIMITS)) {
                body.accept(store);
            }
        });
    }
}
