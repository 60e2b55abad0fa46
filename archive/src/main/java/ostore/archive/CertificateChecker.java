package ostore.archive;

import ostore.crypto.Aguid;
import ostore.crypto.Vguid;

/**
 * Decides whether certificate bytes prove that version {@code seq} of {@code aguid} committed, and
 * with which VGUID. The restorer trusts a manifest only through this: a storage node can hand out
 * any bytes, but not a certificate the ring did not sign.
 */
@FunctionalInterface
public interface CertificateChecker {
    /**
     * @return the certified VGUID
     * @throws IllegalArgumentException naming what does not hold
     */
    Vguid check(Aguid aguid, long seq, byte[] certificate);
}
