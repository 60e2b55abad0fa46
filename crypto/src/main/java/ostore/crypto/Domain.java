package ostore.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Domain-separation tags for every hash and signature in ostore. Each tag is a fixed ASCII string
 * that is part of the on-disk and wire formats: never rename one; add a new one with a new version.
 */
public enum Domain {
    AGUID("ostore/aguid/v1"),
    BGUID("ostore/bguid/v1"),
    VGUID("ostore/vguid/v1"),
    BLOCK_LIST_LEAF("ostore/blocklist-leaf/v1"),
    BLOCK_LIST_NODE("ostore/blocklist-node/v1"),
    UPDATE("ostore/update/v1"),
    UPDATE_SIGNATURE("ostore/update-signature/v1"),
    /** Signatures on inner-ring frames (every replica message). */
    RING_MESSAGE("ostore/ring-message/v1"),
    /** The digest of an ordered batch of update digests. */
    RING_BATCH("ostore/ring-batch/v1"),
    /** A leaf of a batch's results Merkle tree: one update's outcome. */
    RESULT_LEAF("ostore/result-leaf/v1"),
    /** An interior node of a batch's results Merkle tree. */
    RESULT_NODE("ostore/result-node/v1"),
    /** The per-color checkpoint chain over executed batches' results roots. */
    RING_STATE("ostore/ring-state/v1"),
    /** The name of an object a storage node holds (a fragment or a manifest): the hash of its bytes. */
    ARCHIVE_OBJECT("ostore/archive-object/v1"),
    /** The key under which a storage node indexes an archived version's manifests: (aguid, seq). */
    ARCHIVE_INDEX("ostore/archive-index/v1"),
    /** An interior node of an archive manifest's Merkle tree over its fragment names. */
    ARCHIVE_FRAGMENT_NODE("ostore/archive-fragment-node/v1"),
    /** A storage node's rendezvous weight for one stripe of an archived version (fragment placement). */
    ARCHIVE_PLACEMENT("ostore/archive-placement/v1"),
    /** One step of a version store's per-color digest chain over the records its applies create. */
    STORE_STATE("ostore/store-state/v1"),
    /** A ring checkpoint: the color's batch chain state bound to its version store digest. */
    RING_CHECKPOINT("ostore/ring-checkpoint/v1"),
    /**
     * Signatures on client updates, format 2: over the update digest ({@link #UPDATE}), not the
     * body, so a large update is hashed once (SHA-256) rather than by every Ed25519 pass (SHA-512).
     */
    UPDATE_DIGEST_SIGNATURE("ostore/update-signature/v2"),
    /**
     * An update's digest, format 2: over the writer's public key and the body, so one body signed
     * by two keys is two updates (format 1, {@link #UPDATE}, hashed the body alone).
     */
    UPDATE_BY_WRITER("ostore/update/v2");

    private final String tag;
    private final byte[] prefix;

    Domain(String tag) {
        this.tag = tag;
        byte[] ascii = tag.getBytes(StandardCharsets.US_ASCII);
        // The tag is followed by a zero byte so no tag is a prefix of another tag plus data.
        this.prefix = new byte[ascii.length + 1];
        System.arraycopy(ascii, 0, prefix, 0, ascii.length);
    }

    public String tag() {
        return tag;
    }

    /** The bytes hashed or signed before the message: the ASCII tag and one zero byte. */
    public byte[] prefix() {
        return prefix.clone();
    }

    byte[] prefixUnsafe() {
        return prefix;
    }
}
