package ostore.archive;

import java.util.Objects;
import ostore.archive.store.FragmentStore;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Hash32;

/**
 * What the archive puts in a storage node's index under {@code indexKey(aguid, seq)}: the name of
 * the version's manifest and the certificate that makes it trustworthy. Each replica adds its own
 * (their certificates differ in which signatures they hold), so a key holds a few of these.
 *
 * <p>Format 1: {@code [u8 format = 1][32 manifest name][u32 length, certificate bytes]}, at most
 * {@link FragmentStore#MAX_INDEX_VALUE_BYTES} in all.
 */
public record IndexEntry(Hash32 manifestName, byte[] certificate) {
    public static final int FORMAT = 1;
    /** The largest certificate that fits an index value. */
    public static final int MAX_CERTIFICATE_BYTES = FragmentStore.MAX_INDEX_VALUE_BYTES - 1 - Hash32.LENGTH - 4;

    public IndexEntry {
        Objects.requireNonNull(manifestName, "manifestName");
        Objects.requireNonNull(certificate, "certificate");
        if (certificate.length == 0 || certificate.length > MAX_CERTIFICATE_BYTES) {
            throw new IllegalArgumentException("certificate of " + certificate.length + " bytes must be 1.."
                    + MAX_CERTIFICATE_BYTES + " to fit an index value");
        }
        certificate = certificate.clone();
    }

    @Override
    public byte[] certificate() {
        return certificate.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexEntry e && manifestName.equals(e.manifestName)
                && java.util.Arrays.equals(certificate, e.certificate);
    }

    @Override
    public int hashCode() {
        return manifestName.hashCode() * 31 + java.util.Arrays.hashCode(certificate);
    }

    public byte[] encode() {
        return new CanonicalEncoder(64 + certificate.length).u8(FORMAT).hash(manifestName).bytes(certificate)
                .toByteArray();
    }

    /** @throws IllegalArgumentException naming what is malformed */
    public static IndexEntry decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("index entry format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("index entry format (" + format + ") must be " + FORMAT);
        }
        Hash32 name = d.hash("index entry manifest name");
        byte[] certificate = d.bytes("index entry certificate");
        d.end("index entry");
        return new IndexEntry(name, certificate);
    }
}
