package ostore.crypto;

/** A version's name: the domain-separated SHA-256 of the canonical encoding of its version root. */
public record Vguid(Hash32 hash) implements Comparable<Vguid> {
    public Vguid {
        java.util.Objects.requireNonNull(hash, "hash");
    }

    public static Vguid fromHex(String hex) {
        return new Vguid(Hash32.fromHex(hex));
    }

    public static Vguid of(byte[] bytes) {
        return new Vguid(Hash32.of(bytes));
    }

    public byte[] toBytes() {
        return hash.toBytes();
    }

    public String toHex() {
        return hash.toHex();
    }

    @Override
    public int compareTo(Vguid o) {
        return hash.compareTo(o.hash);
    }

    @Override
    public String toString() {
        return hash.toHex();
    }
}
