package ostore.bench;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import ostore.crypto.Aead;
import ostore.crypto.AeadException;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ed25519, SHA-256 and AES-GCM costs that bound the update path. Ed25519 runs through ostore's
 * BouncyCastle keys and, for comparison, the JDK's own provider over the same bytes
 * ({@code domain prefix || message}), since signatures bound ring throughput on small machines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
// The JDK's AES-GCM encryption takes several seconds to reach its compiled intrinsic; shorter
// warm-ups report it tens of times slower than it runs in a long-lived client.
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class CryptoBenchmark {
    private static final int MESSAGE_BYTES = 4096;
    /** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410); the raw 32 bytes follow. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final Domain DOMAIN = Domain.UPDATE_SIGNATURE;

    /** One key in both libraries, a 4 KiB message and its signature. */
    @State(Scope.Thread)
    public static class Signing {
        SigningKey key;
        PublicKey publicKey;
        byte[] prefix;
        byte[] message;
        byte[] signature;
        Signature jdkSigner;
        Signature jdkVerifier;

        @Setup
        public void setUp() throws GeneralSecurityException {
            key = SigningKey.generate(new SecureRandom());
            publicKey = key.publicKey();
            prefix = DOMAIN.prefix();
            message = randomBytes(MESSAGE_BYTES, 1);
            signature = key.sign(DOMAIN, message);
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            jdkSigner = Signature.getInstance("Ed25519");
            jdkSigner.initSign(factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, key.seed())));
            byte[] spki = new byte[SPKI_PREFIX.length + PublicKey.LENGTH];
            System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
            System.arraycopy(publicKey.toBytes(), 0, spki, SPKI_PREFIX.length, PublicKey.LENGTH);
            jdkVerifier = Signature.getInstance("Ed25519");
            jdkVerifier.initVerify(factory.generatePublic(new X509EncodedKeySpec(spki)));
            // A benchmark of a path that fails would measure the wrong thing; refuse to start.
            if (!Arrays.equals(jdkSign(this), signature) || !jdkVerify(this)
                    || !publicKey.verify(DOMAIN, message, signature)) {
                throw new IllegalStateException("BouncyCastle and the JDK disagree on Ed25519");
            }
        }
    }

    /** Input for hashing and AES-GCM: 4 KiB is a small update, 64 KiB a full block, 1 MiB a large one. */
    @State(Scope.Thread)
    public static class Bulk {
        @Param({"4096", "65536", "1048576"})
        public int bytes;

        byte[] data;
        byte[] key;
        byte[] sealed;
        byte[] associatedData;
        SecureRandom random;

        @Setup
        public void setUp() {
            random = new SecureRandom();
            data = randomBytes(bytes, 2);
            key = Aead.newKey(random);
            associatedData = randomBytes(32, 3);
            sealed = Aead.seal(key, data, associatedData, random);
        }
    }

    @Benchmark
    public byte[] ed25519SignBouncyCastle(Signing s) {
        return s.key.sign(DOMAIN, s.message);
    }

    @Benchmark
    public boolean ed25519VerifyBouncyCastle(Signing s) {
        return s.publicKey.verify(DOMAIN, s.message, s.signature);
    }

    @Benchmark
    public byte[] ed25519SignJdk(Signing s) throws GeneralSecurityException {
        return jdkSign(s);
    }

    @Benchmark
    public boolean ed25519VerifyJdk(Signing s) throws GeneralSecurityException {
        return jdkVerify(s);
    }

    @Benchmark
    public Hash32 sha256(Bulk b) {
        return Hashing.hash(Domain.BGUID, b.data);
    }

    @Benchmark
    public byte[] aesGcmSeal(Bulk b) {
        return Aead.seal(b.key, b.data, b.associatedData, b.random);
    }

    @Benchmark
    public byte[] aesGcmOpen(Bulk b) throws AeadException {
        return Aead.open(b.key, b.sealed, b.associatedData);
    }

    private static byte[] jdkSign(Signing s) throws GeneralSecurityException {
        s.jdkSigner.update(s.prefix);
        s.jdkSigner.update(s.message);
        return s.jdkSigner.sign();
    }

    private static boolean jdkVerify(Signing s) throws GeneralSecurityException {
        s.jdkVerifier.update(s.prefix);
        s.jdkVerifier.update(s.message);
        return s.jdkVerifier.verify(s.signature);
    }

    /** Fixed pseudo-random bytes: content does not change these costs, but zeros could flatter them. */
    private static byte[] randomBytes(int length, long seed) {
        byte[] out = new byte[length];
        new SplittableRandom(seed).nextBytes(out);
        return out;
    }
}
