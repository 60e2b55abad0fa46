package ostore.crypto;

import java.util.Objects;

/**
 * One replica's answer to a client about one update: the update's {@link ResultLeaf}, its proof
 * into the batch's results root, and the replica's signature on the batch's
 * {@link ResultStatement}. A client accepts a result once f+1 replicas sent replies that verify
 * and carry equal leaves. Format 1:
 * {@code [u8 format = 1][leaf][proof][u32 signer][statement body][u32 64][64-byte signature]}.
 */
public record ResultReply(ResultLeaf leaf, MerkleProof proof, int signer, ResultStatement statement,
        byte[] signature) {
    public static final int FORMAT = 1;

    public ResultReply {
        Objects.requireNonNull(leaf, "leaf");
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(statement, "statement");
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

    public byte[] encode() {
        CanonicalEncoder e = new CanonicalEncoder(512).u8(FORMAT);
        leaf.encodeTo(e);
        proof.encodeTo(e);
        e.u32(signer);
        statement.encodeBody(e);
        return e.bytes(signature).toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a well-formed format 1 reply */
    public static ResultReply decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("reply format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("reply format (" + format + ") must be " + FORMAT);
        }
        ResultLeaf leaf = ResultLeaf.decode(d);
        MerkleProof proof = MerkleProof.decode(d);
        int signer = d.u32AtMost("reply signer", Integer.MAX_VALUE);
        ResultStatement statement = ResultStatement.decodeBody(d);
        byte[] signature = d.bytes("reply signature");
        d.end("reply");
        return new ResultReply(leaf, proof, signer, statement, signature);
    }

    /** True if the leaf is under the signed root and {@code signerKey} (replica {@link #signer}'s) signed it. */
    public boolean verify(PublicKey signerKey) {
        try {
            return proof.rootFrom(leaf.hash()).equals(statement.resultsRoot())
                    && statement.verify(signer, signerKey, signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
