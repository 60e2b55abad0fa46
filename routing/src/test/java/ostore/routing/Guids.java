package ostore.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;

/** Deterministic GUIDs and node ids for tests: BGUIDs of fixed strings. */
public final class Guids {
    private Guids() {}

    public static Hash32 guid(String name) {
        return Bguid.ofBlock(name.getBytes(StandardCharsets.UTF_8)).hash();
    }

    public static List<Hash32> guids(String prefix, int count) {
        List<Hash32> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(guid(prefix + "/" + i));
        }
        return out;
    }

    public static NodeId node(String name) {
        return new NodeId(guid("node/" + name));
    }
}
