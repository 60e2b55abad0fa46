package ostore.store;

import java.util.Arrays;
import java.util.List;
import ostore.crypto.PublicKey;

/** A change to an object's block list, applied to the latest version to make the next one. */
public sealed interface Action {
    /** Replaces block {@code index} (< block count) with {@code data}. */
    record ReplaceBlock(long index, Data data) implements Action {}

    /** Inserts {@code data} as a new block before {@code index} (<= block count). */
    record InsertBlock(long index, Data data) implements Action {}

    record DeleteBlock(long index) implements Action {}

    /** Appends {@code data} as new blocks of at most the maximum block size. */
    record Append(Data data) implements Action {}

    /** Cuts the object to {@code size} bytes (<= current size). */
    record Truncate(long size) implements Action {}

    /** Replaces the writer list and the encrypted flag; owner only. */
    record SetAcl(List<PublicKey> writers, boolean encrypted) implements Action {
        public SetAcl {
            writers = List.copyOf(writers);
        }
    }

    /** Immutable bytes carried by an action. */
    record Data(byte[] bytes) {
        public Data {
            bytes = bytes.clone();
        }

        public static Data of(byte[] bytes) {
            return new Data(bytes);
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        /** Without copying; callers must not modify the result. */
        byte[] unsafeBytes() {
            return bytes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && Arrays.equals(bytes, d.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Data[" + bytes.length + " bytes]";
        }
    }
}
