/**
 * The erasure codec of the deep archive: systematic Reed-Solomon over GF(256) ({@link
 * ostore.archive.codec.Galois}, {@link ostore.archive.codec.Matrix}) with ISA-L's Cauchy generator,
 * computed in pure Java ({@link ostore.archive.codec.ReedSolomon} with a {@link
 * ostore.archive.codec.CodingLoop}) or by ISA-L through the FFM API ({@link
 * ostore.archive.codec.IsalCodec}); {@link ostore.archive.codec.Codecs} picks one.
 *
 * <p>Owns: the field, the generator matrix and therefore the bytes of every parity fragment ever
 * written. Must never: change the polynomial or the generator (fragments in the archive would no
 * longer decode), let two implementations disagree on a byte, or decode with fewer than k shards.
 * Knows nothing of fragments, hashes or manifests: callers verify shards before decoding.
 */
package ostore.archive.codec;
