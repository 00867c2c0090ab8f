package io.hypermesh.streams.registry;

import io.hypermesh.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The registry fold writes each new instance state to its store (whose bytes also go to the
 * changelog) and then forwards the same object to {@code hypermesh.registry.state}: this serializer
 * encodes it once and hands the sink the store's bytes, with the sink subject's schema id in the
 * header if it differs. Only the object last serialized on a thread is remembered, by identity, so
 * it relies on the fold not changing an instance between the two (it builds a new one per change).
 */
final class SerializedOnce<T extends SpecificRecord> implements Serializer<T> {
    private final AvroSerializer<T> avro;
    private final ThreadLocal<Last> last = ThreadLocal.withInitial(Last::new);

    private static final class Last {
        Object value;
        byte[] bytes;
    }

    SerializedOnce(AvroSerializer<T> avro) {
        this.avro = avro;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        Last l = last.get();
        if (l.value == data) {
            int id = avro.schemaId(topic, data.getSchema());
            if (ByteBuffer.wrap(l.bytes, 1, 4).getInt() == id) {
                return l.bytes;
            }
            byte[] reframed = Arrays.copyOf(l.bytes, l.bytes.length);
            ByteBuffer.wrap(reframed, 1, 4).putInt(id);
            return reframed;
        }
        byte[] bytes = avro.serialize(topic, data);
        l.value = data;
        l.bytes = bytes;
        return bytes;
    }
}
