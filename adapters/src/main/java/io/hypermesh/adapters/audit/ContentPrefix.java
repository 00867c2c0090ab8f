package io.hypermesh.adapters.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the first two fields of an entry's content (Avro single-object encoding: a 2-byte marker,
 * an 8-byte schema fingerprint, then the binary record, whose first fields are the adapter id and
 * the sequence) without decoding the rest: verifying compares them with the entry's own. Keeps the
 * last adapter id's bytes, as a verifier reads one adapter's trail. Not thread-safe.
 */
final class ContentPrefix {
    private static final int HEADER = 10;
    private final long[] read = new long[2]; // value, next position
    private String lastId;
    private byte[] lastIdBytes;

    boolean names(ByteBuffer content, String adapterId, long sequence) {
        if (!content.hasArray()) {
            byte[] copy = new byte[content.remaining()];
            content.get(content.position(), copy);
            return names(copy, 0, copy.length, adapterId, sequence);
        }
        int from = content.arrayOffset() + content.position();
        return names(content.array(), from, from + content.remaining(), adapterId, sequence);
    }

    private boolean names(byte[] b, int from, int end, String adapterId, long sequence) {
        int at = from + HEADER;
        if (at > end || b[from] != (byte) 0xC3 || b[from + 1] != 0x01 || !varint(b, at, end, read)) {
            return false;
        }
        long idLength = read[0];
        at = (int) read[1];
        if (!adapterId.equals(lastId)) {
            lastId = adapterId;
            lastIdBytes = adapterId.getBytes(StandardCharsets.UTF_8);
        }
        byte[] id = lastIdBytes;
        if (idLength != id.length || at + id.length > end || !Arrays.equals(b, at, at + id.length, id, 0, id.length)) {
            return false;
        }
        return varint(b, at + id.length, end, read) && read[0] == sequence;
    }

    /** An Avro zig-zag varint at {@code at}; false when it runs past the end or past 64 bits. */
    private static boolean varint(byte[] b, int at, int end, long[] out) {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at >= end) {
                return false;
            }
            byte x = b[at++];
            raw |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                out[0] = (raw >>> 1) ^ -(raw & 1);
                out[1] = at;
                return true;
            }
        }
        return false;
    }
}
