package ostore.client;

import ostore.api.Protos;
import ostore.crypto.Aguid;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/** The checks every version root from a server passes, whatever call it came with. */
final class RootChecks {
    private RootChecks() {}

    /**
     * Decodes a root and checks it is for {@code aguid} and that its {@code vguid} field, which
     * servers must set, is the VGUID the client computes from the hashed fields.
     */
    static VerifiedRoot decode(ostore.api.v1.VersionRoot proto, Aguid aguid) {
        VersionRoot root;
        try {
            root = Protos.fromProto(proto);
        } catch (IllegalArgumentException e) {
            throw OstoreException.dataLoss("malformed version root: " + e.getMessage(), e);
        }
        if (!root.aguid().equals(aguid)) {
            throw OstoreException.dataLoss("version root is for object " + root.aguid() + ", expected " + aguid);
        }
        Vguid computed = root.vguid();
        if (!proto.getVguid().equals(Protos.toByteString(computed))) {
            throw OstoreException.dataLoss("version root seq " + root.seq() + " hashes to VGUID " + computed
                    + ", the server's vguid field says " + hex(proto.getVguid()));
        }
        return new VerifiedRoot(root, computed);
    }

    static String hex(com.google.protobuf.ByteString bytes) {
        return bytes.isEmpty() ? "(empty)" : java.util.HexFormat.of().formatHex(bytes.toByteArray());
    }
}
