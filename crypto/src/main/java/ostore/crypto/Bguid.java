package ostore.crypto;

/** A block's name: the domain-separated SHA-256 of the block's bytes. */
public record Bguid(Hash32 hash) implements Comparable<Bguid> {
    public Bguid {
        java.util.Objects.requireNonNull(hash, "hash");
    }

    public static Bguid fromHex(String hex) {
        return new Bguid(Hash32.fromHex(hex));
    }

    public static Bguid of(byte[] bytes) {
        return new Bguid(Hash32.of(bytes));
    }

    /** The BGUID of a block with these bytes. */
    public static Bguid ofBlock(byte[] block) {
        return new Bguid(Hashing.hash(Domain.BGUID, block));
    }

    public byte[] toBytes() {
        return hash.toBytes();
    }

    public String toHex() {
        return hash.toHex();
    }

    @Override
    public int compareTo(Bguid o) {
        return hash.compareTo(o.hash);
    }

    @Override
    public String toString() {
        return hash.toHex();
    }
}
