package io.hypermesh.schemas.testing;

import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds one filled-in envelope per topic and per payload type of that topic, straight from the
 * schemas, so a new event type is covered by the round-trip tests without anyone writing a sample.
 */
public final class SampleEvents {
    private SampleEvents() {
    }

    public record Sample(TopicSpec<?> topic, String payloadType, GenericRecord envelope) {
    }

    public static List<Sample> all() {
        List<Sample> samples = new ArrayList<>();
        for (TopicSpec<?> topic : Topics.EVENT_TOPICS) {
            Schema envelope = topic.valueSchema();
            for (Schema payload : envelope.getField("payload").schema().getTypes()) {
                GenericRecord record = new GenericData.Record(envelope);
                for (Schema.Field f : envelope.getFields()) {
                    record.put(f.name(), f.name().equals("payload") ? value(payload, "payload") : value(f.schema(), f.name()));
                }
                samples.add(new Sample(topic, payload.getName(), record));
            }
        }
        return samples;
    }

    static Object value(Schema schema, String name) {
        switch (schema.getType()) {
            case RECORD: {
                GenericRecord r = new GenericData.Record(schema);
                schema.getFields().forEach(f -> r.put(f.name(), value(f.schema(), f.name())));
                return r;
            }
            case UNION: {
                // The last branch is the interesting one in ["null", T].
                List<Schema> types = schema.getTypes();
                return value(types.get(types.size() - 1), name);
            }
            case ENUM:
                return new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(schema.getEnumSymbols().size() / 2));
            case ARRAY:
                return new GenericData.Array<>(schema, List.of(value(schema.getElementType(), name)));
            case MAP:
                return Map.of("k-" + name, value(schema.getValueType(), name));
            case STRING:
                return "v-" + name;
            case INT:
                return 7;
            case LONG:
                return 1_764_000_000_123L;
            case DOUBLE:
                return 1.5;
            case FLOAT:
                return 2.5f;
            case BOOLEAN:
                return true;
            case BYTES:
                return ByteBuffer.wrap(new byte[]{1, 2, 3, (byte) 0xff});
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no sample for " + schema);
        }
    }
}
