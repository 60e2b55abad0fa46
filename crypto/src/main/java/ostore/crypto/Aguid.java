package ostore.crypto;

/** An object's name: {@code SHA-256("ostore/aguid/v1" 0x00 || u32 len || owner key || u32 len || UTF-8 name)}. */
public record Aguid(Hash32 hash) implements Comparable<Aguid> {
    public Aguid {
        java.util.Objects.requireNonNull(hash, "hash");
    }

    public static Aguid fromHex(String hex) {
        return new Aguid(Hash32.fromHex(hex));
    }

    public static Aguid of(byte[] bytes) {
        return new Aguid(Hash32.of(bytes));
    }

    /** The AGUID of the object that {@code owner} calls {@code name}. */
    public static Aguid of(PublicKey owner, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("object name must not be empty");
        }
        byte[] encoded = new CanonicalEncoder().bytes(owner.toBytes()).string(name).toByteArray();
        return new Aguid(Hashing.hash(Domain.AGUID, encoded));
    }

    public byte[] toBytes() {
        return hash.toBytes();
    }

    public String toHex() {
        return hash.toHex();
    }

    @Override
    public int compareTo(Aguid o) {
        return hash.compareTo(o.hash);
    }

    @Override
    public String toString() {
        return hash.toHex();
    }
}
