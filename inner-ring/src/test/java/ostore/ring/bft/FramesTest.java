package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.ring.bft.Message.*;
import org.junit.jupiter.api.Test;

/** Golden encodings of every frame type and the certificate, and the ways a frame is refused. */
class FramesTest {
    private final RingHarness ring = new RingHarness(RingConfig.Params.DEFAULT);
    private static final Hash32 A = Hashing.hash(Domain.RING_BATCH, new byte[] {1});
    private static final Hash32 B = Hashing.hash(Domain.RING_BATCH, new byte[] {2});

    private Signed<?> signed(Message m, int sender) {
        return Frames.sign(m, sender, ring.keys.get(sender));
    }

    private Map<String, Message> samples() {
        Map<String, Message> m = new LinkedHashMap<>();
        PrePrepare pp = new PrePrepare(3, 0, 7, 1_700_000_000_000_000L, List.of(A, B));
        m.put("pre-prepare", pp);
        m.put("prepare", new Prepare(3, 0, 7, pp.batchDigest()));
        m.put("commit", new Commit(3, 0, 7, pp.batchDigest()));
        m.put("batch-result", new BatchResult(new ResultStatement(0, 0, 7, A)));
        m.put("checkpoint", new Checkpoint(0, 8, B, B));
        m.put("fetch-payloads", new FetchPayloads(List.of(A)));
        m.put("payloads", new Payloads(List.of(new byte[] {9, 8, 7})));
        @SuppressWarnings("unchecked")
        Signed<PrePrepare> spp = (Signed<PrePrepare>) signed(new PrePrepare(3, 0, 7, 5, List.of(A)), 3);
        @SuppressWarnings("unchecked")
        List<Signed<Prepare>> prepares = List.of((Signed<Prepare>) signed(new Prepare(3, 0, 7, spp.message().batchDigest()), 1),
                (Signed<Prepare>) signed(new Prepare(3, 0, 7, spp.message().batchDigest()), 2));
        ViewChange vc = new ViewChange(4, List.of(new ColorState(0, 0, Lane.ZERO, List.of(),
                List.of(new PreparedProof(spp, prepares)))));
        m.put("view-change", vc);
        @SuppressWarnings("unchecked")
        Signed<ViewChange> svc = (Signed<ViewChange>) signed(vc, 2);
        @SuppressWarnings("unchecked")
        Signed<PrePrepare> npp = (Signed<PrePrepare>) signed(new PrePrepare(4, 0, 7, 5, List.of(A)), 0);
        m.put("new-view", new NewView(4, List.of(svc), List.of(npp)));
        m.put("fetch-state", new FetchState(0, 9));
        @SuppressWarnings("unchecked")
        Signed<Checkpoint> cp = (Signed<Checkpoint>) signed(new Checkpoint(0, 8, B, B), 2);
        @SuppressWarnings("unchecked")
        Signed<Commit> commit = (Signed<Commit>) signed(new Commit(4, 0, 9, A), 1);
        m.put("state", new State(0, 8, B, List.of(cp), 5,
                List.of(new ChainedBatch(7, 5, List.of(A, B), A)), List.of(new Message.ChainLink(B, A)),
                List.of(new CommitProof(npp, List.of(commit))), List.of(new byte[] {9, 8, 7})));
        m.put("fetch-snapshot", new Message.FetchSnapshot(0, 41));
        m.put("snapshot", new Message.Snapshot(0, 8, B, List.of(cp), 41, List.of(new byte[] {1, 2}),
                List.of(new byte[] {3}), List.of(new ostore.store.SnapshotPage.Attached(new ostore.crypto.Aguid(A), 2,
                        new byte[] {4, 5})), 77, true));
        m.put("request", new Message.Request(List.of(A, B)));
        m.put("suspect", new Message.Suspect(3));
        m.put("fetch-certificates", new FetchCertificates(List.of(new VersionRef(new Aguid(A), 1),
                new VersionRef(new Aguid(B), 9))));
        m.put("certificates", new Certificates(List.of(new ostore.store.SnapshotPage.Attached(new Aguid(A), 1,
                certificate(new Aguid(A), 1, 3).encode()))));
        return m;
    }

    /** A certificate of version {@code seq} of {@code aguid} signed by replicas 0 .. signers - 1. */
    private Certificate certificate(Aguid aguid, long seq, int signers) {
        ResultLeaf leaf = new ResultLeaf(B, ResultLeaf.COMMITTED, 0, aguid, seq, A, 1_700_000_000_000_000L);
        List<Hash32> leaves = List.of(leaf.hash(), A, B);
        ResultStatement s = new ResultStatement(0, 0, 7, MerkleProof.root(leaves));
        List<Certificate.Signature> sigs = new java.util.ArrayList<>();
        for (int i = 0; i < signers; i++) {
            byte[] frame = Frames.encode(new BatchResult(s), i, ring.keys.get(i));
            sigs.add(new Certificate.Signature(i, java.util.Arrays.copyOfRange(frame, frame.length - 64, frame.length)));
        }
        return new Certificate(s, leaf, MerkleProof.of(leaves, 0), sigs);
    }

    /**
     * A CERTIFICATES frame is refused whole, on the transport's threads, unless every certificate
     * in it has 2f+1 ring signatures and certifies exactly the version it is sent for.
     */
    @Test
    void certificatesAreCheckedBeforeTheCoreSeesThem() {
        Aguid aguid = new Aguid(A);
        byte[] good = Frames.encode(new Certificates(List.of(new ostore.store.SnapshotPage.Attached(aguid, 1,
                certificate(aguid, 1, 3).encode()))), 2, ring.keys.get(2));
        assertEquals(1, ((Certificates) Frames.decodeAndVerify(good, ring.config).message()).certificates().size());
        for (var bad : List.of(new ostore.store.SnapshotPage.Attached(aguid, 1, certificate(aguid, 1, 2).encode()),
                new ostore.store.SnapshotPage.Attached(aguid, 2, certificate(aguid, 1, 3).encode()),
                new ostore.store.SnapshotPage.Attached(new Aguid(B), 1, certificate(aguid, 1, 3).encode()),
                new ostore.store.SnapshotPage.Attached(aguid, 1, new byte[] {1, 2, 3}))) {
            byte[] frame = Frames.encode(new Certificates(List.of(new ostore.store.SnapshotPage.Attached(aguid, 1,
                    certificate(aguid, 1, 3).encode()), bad)), 2, ring.keys.get(2));
            assertEquals(FrameException.Reason.BODY, refusal(frame));
        }
    }

    @Test
    void everyMessageTypeHasAPinnedEncodingAndRoundTrips() {
        Map<String, String> golden = Map.ofEntries(
                Map.entry("batch-result", "974740ab9a2dc2b2cc1fa8d9d36a7d473ba926f20cdab97695686247c0fffe4d"),
                Map.entry("checkpoint", "365d6d579f2e2233b1b0cd62122f37221088b67f6379c45a6d5b0256fd69d792"),
                Map.entry("commit", "2f2ab0d76982b8d0935e1914723a791166c578ebd7efb0fea47bb23bf899b449"),
                Map.entry("fetch-payloads", "f1a6cc37e188d1aaefa3006af1210ce4d8566c4fbd2fde9b4b0999a6714e58d0"),
                Map.entry("fetch-state", "f309ee460788ef80965ad58a9f49ee56ad621c300adf7ded46151507628ef2aa"),
                Map.entry("new-view", "9785019e79ff5094da28b0bdd45f79214d011b0ed284ae35b328be38c7705ed4"),
                Map.entry("payloads", "ab06a0f5dc963b0371eb69d0d6568584fa47936f346636cc64469048d9646928"),
                Map.entry("pre-prepare", "8e2a384ff41cd5d32ff4dd014696acb6f412f538d08af6565ecd958ad50d27da"),
                Map.entry("prepare", "e3b6f1314c3a8ad6c69fc46d6137323feac4b24856d216459d6b3b6aba4db1c2"),
                Map.entry("state", "7546562e1656dc2ec115d6703a8393d99dc635ea51f34fb42117263281509b8a"),
                Map.entry("fetch-snapshot", "7348bca25619fb423f1ee58c811a0be716c6579013db97476ecb09d2791bc256"),
                Map.entry("snapshot", "799b363ba206ccdf10dfaa25a4ca0c8d84a6f366d904861e61b9929d70f57122"),
                Map.entry("request", "8f677b87981b2e5dc1e98e9491de161aee11740412ffac11f301b8c518337ae0"),
                Map.entry("suspect", "8b28f591c7e80e2a0942b535748f306139241d742473cc88ec732d5631fedadf"),
                Map.entry("fetch-certificates", "8080081d90ad69203c48230f6c025285d5e26c339b82ab7140a9844a9beab00e"),
                Map.entry("certificates", "6ef90f409848cfa722a18d7e61bdd5a3ee551f71c9f88de698c7f2617a91c6aa"),
                Map.entry("view-change", "ab399f091523a57d8fba460868c7c6c3aeff10117054d66daee5e3f2724772c3"));
        Map<String, String> actual = new java.util.TreeMap<>();
        for (var e : samples().entrySet()) {
            byte[] frame = Frames.encode(e.getValue(), 1, ring.keys.get(1));
            assertEquals(Frames.FORMAT, frame[0]);
            assertEquals(e.getValue().type(), frame[1]);
            String digest = Hashing.hash(Domain.RING_MESSAGE, frame).toHex();
            actual.put(e.getKey(), digest);
            Signed<?> back = Frames.decodeAndVerify(frame, ring.config);
            assertEquals(1, back.sender());
            assertArrayEquals(frame, Frames.encode(back.message(), 1, ring.keys.get(1)), e.getKey() + " round trip");
        }
        assertEquals(new java.util.TreeMap<>(golden), actual);
    }

    @Test
    void theBatchResultFrameIsTheResultStatementTheCertificateVerifies() {
        ResultStatement s = new ResultStatement(0, 0, 7, A);
        byte[] frame = Frames.encode(new BatchResult(s), 2, ring.keys.get(2));
        assertArrayEquals(s.signedBytes(2), java.util.Arrays.copyOf(frame, frame.length - 64));
        assertEquals("0104000000020000000000000000000000000000000000000007" + A.toHex(),
                HexFormat.of().formatHex(s.signedBytes(2)));
    }

    @Test
    void theCertificateHasAPinnedEncodingAndVerifies() {
        Aguid aguid = new Aguid(A);
        ResultLeaf leaf = new ResultLeaf(B, ResultLeaf.COMMITTED, 0, aguid, 1, A, 1_700_000_000_000_000L);
        List<Hash32> leaves = List.of(leaf.hash(), A, B);
        ResultStatement s = new ResultStatement(0, 0, 7, MerkleProof.root(leaves));
        List<Certificate.Signature> sigs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] frame = Frames.encode(new BatchResult(s), i, ring.keys.get(i));
            sigs.add(new Certificate.Signature(i, java.util.Arrays.copyOfRange(frame, frame.length - 64, frame.length)));
        }
        Certificate c = new Certificate(s, leaf, MerkleProof.of(leaves, 0), sigs);
        c.check(ring.config.keys(), 1);
        String digest = Hashing.hash(Domain.RING_MESSAGE, c.encode()).toHex();
        assertEquals("263cbf97006f4cc108f78bfa6988a912c49a8b0c5c3ee052b20b784de0e70709", digest);
        assertEquals(c.encode().length, Certificate.decode(c.encode()).encode().length);
        Certificate twoSigners = new Certificate(s, leaf, MerkleProof.of(leaves, 0), sigs.subList(0, 2));
        assertThrows(IllegalArgumentException.class, () -> twoSigners.check(ring.config.keys(), 1));
    }

    private FrameException.Reason refusal(byte[] frame) {
        return assertThrows(FrameException.class, () -> Frames.decodeAndVerify(frame, ring.config)).reason();
    }

    @Test
    void framesAreRefusedForEachKindOfDamage() {
        byte[] good = Frames.encode(new Checkpoint(0, 8, B, B), 1, ring.keys.get(1));
        byte[] badSig = good.clone();
        badSig[badSig.length - 1] ^= 1;
        assertEquals(FrameException.Reason.SIGNATURE, refusal(badSig));
        byte[] otherSender = good.clone();
        otherSender[5] = 2;
        assertEquals(FrameException.Reason.SIGNATURE, refusal(otherSender));
        byte[] outside = good.clone();
        outside[5] = 4;
        assertEquals(FrameException.Reason.SENDER, refusal(outside));
        assertEquals(FrameException.Reason.TOO_SHORT, refusal(java.util.Arrays.copyOf(good, 40)));
        byte[] unknown = good.clone();
        unknown[1] = 42;
        assertEquals(FrameException.Reason.TYPE, refusal(unknown));
        byte[] format = good.clone();
        format[0] = 2;
        assertEquals(FrameException.Reason.FORMAT, refusal(format));
        byte[] unsigned = java.util.Arrays.copyOf(good, good.length - 64 - 1);
        byte[] sig = ring.keys.get(1).sign(Domain.RING_MESSAGE, unsigned);
        byte[] shortBody = java.util.Arrays.copyOf(unsigned, unsigned.length + 64);
        System.arraycopy(sig, 0, shortBody, unsigned.length, 64);
        assertEquals(FrameException.Reason.BODY, refusal(shortBody), "a signed but truncated body");
    }
}
