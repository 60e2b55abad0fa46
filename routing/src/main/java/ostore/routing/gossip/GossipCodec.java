package ostore.routing.gossip;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.WireFormatException;
import ostore.routing.filter.AttenuatedFilter;
import ostore.routing.filter.FilterCodec;
import ostore.routing.filter.FilterParams;
import ostore.routing.filter.GuidFilter;

/**
 * The gossip format, version 1 (big-endian):
 * <pre>
 * u8 format = 1 ‖ u8 type = 1 (advertisement) ‖ sender (32) ‖ recipient (32) ‖ u64 round ‖ u8 depth
 *   ‖ u8 strategy ‖ u8 numHashFunctions ‖ u32 bitCount ‖ depth × (bitCount / 8) bytes, level 0 first
 * </pre>
 * The shape is written once since every level shares it. Decoding refuses anything over
 * {@value #MAX_MESSAGE_BYTES} bytes before parsing, and any shape or depth other than the
 * overlay's before reading a bit array, so a hostile length allocates nothing.
 */
public final class GossipCodec {
    public static final int FORMAT = 1;
    public static final int TYPE_ADVERTISEMENT = 1;
    /** format, type, sender, recipient, round, depth, then the shape: strategy, hashes, bit count. */
    public static final int HEADER_BYTES = 1 + 1 + Hash32.LENGTH + Hash32.LENGTH + 8 + 1 + 1 + 1 + 4;
    /** The largest message any overlay may send: {@link AttenuatedFilter#MAX_DEPTH} levels of 4 MiB. */
    public static final int MAX_MESSAGE_BYTES = 32 << 20;

    private GossipCodec() {}

    /** The encoded size of an advertisement of this shape and depth. */
    public static int size(FilterParams params, int depth) {
        return HEADER_BYTES + depth * params.byteCount();
    }

    public static byte[] encode(Advertisement ad) {
        AttenuatedFilter f = ad.filter();
        int size = size(f.params(), f.depth());
        if (size > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("an advertisement of depth " + f.depth() + " and " + f.params()
                    + " is " + size + " bytes, over the " + MAX_MESSAGE_BYTES + "-byte limit");
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) FORMAT).put((byte) TYPE_ADVERTISEMENT).put(ad.sender().toBytes())
                .put(ad.recipient().toBytes()).putLong(ad.round()).put((byte) f.depth());
        FilterCodec.writeShape(out, f.params());
        for (GuidFilter level : f.levels()) {
            level.writeWords(out);
        }
        assert !out.hasRemaining();
        return out.array();
    }

    /**
     * Decodes an advertisement of the overlay's shape {@code params} and depth {@code depth}.
     *
     * @throws WireFormatException naming the first field that is wrong
     */
    public static Advertisement decode(byte[] bytes, FilterParams params, int depth) {
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new WireFormatException("gossip message of " + bytes.length + " bytes is over the "
                    + MAX_MESSAGE_BYTES + "-byte limit");
        }
        ByteBuffer in = header(bytes);
        NodeId sender = readNode(in);
        NodeId recipient = readNode(in);
        if (sender.equals(recipient)) {
            throw new WireFormatException("gossip sender and recipient are both " + sender);
        }
        long round = in.getLong();
        if (round < 0) {
            throw new WireFormatException("gossip round (" + round + ") must be >= 0");
        }
        int levels = in.get() & 0xff;
        if (levels != depth) {
            throw new WireFormatException("gossip depth (" + levels + ") must be the overlay's " + depth);
        }
        FilterCodec.readShape(in, params, "gossip");
        long expected = (long) depth * params.byteCount();
        if (in.remaining() != expected) {
            throw new WireFormatException("gossip header says " + expected + " filter bytes but "
                    + in.remaining() + " follow");
        }
        List<GuidFilter> filters = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            filters.add(GuidFilter.fromWords(params, in));
        }
        return new Advertisement(sender, recipient, round, new AttenuatedFilter(filters));
    }

    /**
     * The sender an encoded advertisement names, read from its header alone, so a receiver can
     * look up the sender's key and check the signature before decoding any filter. Checks only
     * what it reads (format, type, length of the header); {@link #decode} checks the rest.
     *
     * @throws WireFormatException if the bytes are too short or of another format or type
     */
    public static NodeId sender(byte[] bytes) {
        return readNode(header(bytes));
    }

    /** The message positioned after its format and type bytes, once both and the header's length check out. */
    private static ByteBuffer header(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new WireFormatException("gossip message of " + bytes.length + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = in.get() & 0xff;
        if (format != FORMAT) {
            throw new WireFormatException("gossip format (" + format + ") must be " + FORMAT);
        }
        int type = in.get() & 0xff;
        if (type != TYPE_ADVERTISEMENT) {
            throw new WireFormatException("gossip type (" + type + ") must be " + TYPE_ADVERTISEMENT);
        }
        return in;
    }

    private static NodeId readNode(ByteBuffer in) {
        byte[] id = new byte[Hash32.LENGTH];
        in.get(id);
        return NodeId.of(id);
    }
}
