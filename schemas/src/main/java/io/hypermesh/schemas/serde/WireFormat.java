package io.hypermesh.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The Confluent wire format: magic byte 0x00, a 4-byte big-endian schema id, then the value: Avro
 * binary, JSON text, or for Protobuf the message's indexes in its file and then the message.
 * Any Confluent-compatible producer or consumer reads what we write and the other way round.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Writes the header for a schema id into the first five bytes of {@code target}. */
    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** The schema id of a framed value; a clear {@link SerializationException} if it is not framed. */
    public static int schemaId(String topic, byte[] data) {
        if (data.length < HEADER_SIZE) {
            throw new SerializationException("record in topic '" + topic + "' is " + data.length
                    + " bytes, too short for the Confluent wire format (magic byte 0x00 and a 4-byte schema id); bytes: "
                    + hex(data));
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "record in topic '%s' starts with magic byte 0x%02x, not 0x00: it was not written in the Confluent wire format; "
                            + "first bytes: %s",
                    topic, data[0], hex(data)));
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    /** The header and {@code body} in one array. */
    static byte[] framed(int schemaId, byte[] body) {
        byte[] out = new byte[HEADER_SIZE + body.length];
        writeHeader(out, schemaId);
        System.arraycopy(body, 0, out, HEADER_SIZE, body.length);
        return out;
    }

    /**
     * Confluent's Protobuf message indexes: their count and then each as zig-zag varints, except
     * that the first message of the file ({@code [0]}) is the single byte 0.
     */
    static byte[] messageIndexes(List<Integer> indexes) {
        if (indexes.equals(List.of(0))) {
            return new byte[] {0};
        }
        ByteBuffer out = ByteBuffer.allocate(5 * (indexes.size() + 1));
        ByteUtils.writeVarint(indexes.size(), out);
        indexes.forEach(i -> ByteUtils.writeVarint(i, out));
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** Reads the message indexes that follow the header; {@code body} is left at the message. */
    static List<Integer> readMessageIndexes(ByteBuffer body) {
        int count = ByteUtils.readVarint(body);
        if (count == 0) {
            return List.of(0);
        }
        if (count < 0 || count > body.remaining()) {
            throw new SerializationException("bad Protobuf message index count " + count);
        }
        List<Integer> indexes = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            indexes.add(ByteUtils.readVarint(body));
        }
        return indexes;
    }

    static String hex(byte[] data) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(data.length, 16); i++) {
            out.append(String.format("%02x ", data[i]));
        }
        return out.append(data.length > 16 ? "..." : "").toString().trim();
    }
}
