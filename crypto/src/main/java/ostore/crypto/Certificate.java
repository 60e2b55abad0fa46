package ostore.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The proof that the inner ring executed an update with a given result: the update's
 * {@link ResultLeaf} (aguid, seq, VGUID, timestamp), its Merkle proof into a batch's results root,
 * and the signatures of at least 2f+1 distinct replicas on that batch's {@link ResultStatement}
 * (which names the ring epoch). Anyone holding the ring's public keys checks it with this class alone.
 *
 * <p>Format 1: {@code [u8 format = 1][statement body][leaf][proof][u32 n][n x (u32 signer, u32 64, 64-byte signature)]},
 * signers strictly increasing.
 */
public record Certificate(ResultStatement statement, ResultLeaf leaf, MerkleProof proof, List<Signature> signatures) {
    public static final int FORMAT = 1;

    /** One replica's signature on the statement. */
    public record Signature(int signer, byte[] signature) {
        public Signature {
            Objects.requireNonNull(signature, "signature");
            if (signer < 0 || signature.length != PublicKey.SIGNATURE_LENGTH) {
                throw new IllegalArgumentException("signer (" + signer + ") must be >= 0 and the signature "
                        + PublicKey.SIGNATURE_LENGTH + " bytes, not " + signature.length);
            }
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }
    }

    public Certificate {
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(leaf, "leaf");
        Objects.requireNonNull(proof, "proof");
        signatures = List.copyOf(signatures);
        for (int i = 1; i < signatures.size(); i++) {
            if (signatures.get(i).signer() <= signatures.get(i - 1).signer()) {
                throw new IllegalArgumentException("signers must be strictly increasing, but " + signatures.get(i)
                        .signer() + " follows " + signatures.get(i - 1).signer());
            }
        }
    }

    public byte[] encode() {
        CanonicalEncoder e = new CanonicalEncoder(256 + 68 * signatures.size()).u8(FORMAT);
        statement.encodeBody(e);
        leaf.encodeTo(e);
        proof.encodeTo(e);
        e.u32(signatures.size());
        for (Signature s : signatures) {
            e.u32(s.signer()).bytes(s.signature());
        }
        return e.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a well-formed format 1 certificate */
    public static Certificate decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("certificate format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("certificate format (" + format + ") must be " + FORMAT);
        }
        ResultStatement statement = ResultStatement.decodeBody(d);
        ResultLeaf leaf = ResultLeaf.decode(d);
        MerkleProof proof = MerkleProof.decode(d);
        int n = d.count("certificate signatures", 8 + PublicKey.SIGNATURE_LENGTH);
        List<Signature> signatures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int signer = d.u32AtMost("certificate signer", Integer.MAX_VALUE);
            signatures.add(new Signature(signer, d.bytes("certificate signature")));
        }
        d.end("certificate");
        return new Certificate(statement, leaf, proof, signatures);
    }

    /**
     * Checks the certificate against the ring's keys (index = replica id): the leaf is in the
     * signed root and at least {@code 2f + 1} distinct replicas of the ring signed it.
     *
     * @throws IllegalArgumentException naming the first thing that does not hold
     */
    public void check(List<PublicKey> ringKeys, int f) {
        if (f < 0 || ringKeys.size() < 3 * f + 1) {
            throw new IllegalArgumentException("a ring of " + ringKeys.size() + " keys cannot tolerate f (" + f + ")");
        }
        Hash32 root = proof.rootFrom(leaf.hash());
        if (!root.equals(statement.resultsRoot())) {
            throw new IllegalArgumentException("the leaf's proof leads to " + root + ", not the signed root "
                    + statement.resultsRoot());
        }
        int valid = 0;
        for (Signature s : signatures) {
            if (s.signer() >= ringKeys.size()) {
                throw new IllegalArgumentException("signer " + s.signer() + " is not in a ring of " + ringKeys.size());
            }
            if (!statement.verify(s.signer(), ringKeys.get(s.signer()), s.signature())) {
                throw new IllegalArgumentException("signature of replica " + s.signer() + " does not verify");
            }
            valid++;
        }
        if (valid < 2 * f + 1) {
            throw new IllegalArgumentException("certificate has " + valid + " signatures, needs 2f+1 = " + (2 * f + 1));
        }
    }

    public boolean verify(List<PublicKey> ringKeys, int f) {
        try {
            check(ringKeys, f);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
