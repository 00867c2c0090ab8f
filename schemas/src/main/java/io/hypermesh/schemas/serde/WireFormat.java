package io.hypermesh.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: magic byte 0x00, a 4-byte big-endian schema id, then Avro binary.
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
                    "record in topic '%s' starts with magic byte 0x%02x, not 0x00: it was not written in the Confluent wire format; first bytes: %s",
                    topic, data[0], hex(data)));
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    static String hex(byte[] data) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(data.length, 16); i++) {
            out.append(String.format("%02x ", data[i]));
        }
        return out.append(data.length > 16 ? "..." : "").toString().trim();
    }
}
