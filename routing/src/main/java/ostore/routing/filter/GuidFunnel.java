package ostore.routing.filter;

import com.google.common.hash.Funnel;
import com.google.common.hash.PrimitiveSink;
import ostore.crypto.Hash32;

/**
 * Feeds a GUID's 32 bytes to Guava's hash. An enum, as Guava recommends, so the funnel is one
 * stable value; the bytes fed are part of the filter format (a golden test pins them).
 */
enum GuidFunnel implements Funnel<Hash32> {
    INSTANCE;

    @Override
    public void funnel(Hash32 guid, PrimitiveSink into) {
        for (int i = 0; i < Hash32.LENGTH; i++) {
            into.putByte(guid.byteAt(i));
        }
    }
}
