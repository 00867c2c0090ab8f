package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes Avro records (generated or generic) in the Confluent wire format under the subject
 * {@code <topic>-value} (or {@code -key}), registering the schema on first use unless told not to.
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    static {
        AvroTrust.install();
    }

    private RegistryClient registry;
    private boolean autoRegister = true;
    private boolean isKey;
    private final Map<String, Map<Schema, Integer>> ids = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    /** For Kafka to instantiate; {@link #configure} supplies the registry. */
    public AvroSerializer() {
    }

    public AvroSerializer(RegistryClient registry, boolean autoRegister) {
        this.registry = registry;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            registry = SerdeConfig.client(configs);
            autoRegister = SerdeConfig.autoRegister(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        Schema schema = data.getSchema();
        int id = schemaId(topic, schema);
        try {
            Reused out = REUSED.get();
            out.reset();
            out.write(NO_HEADER_YET, 0, WireFormat.HEADER_SIZE);
            out.encoder = EncoderFactory.get().directBinaryEncoder(out, out.encoder);
            writers.computeIfAbsent(schema, AvroSerializer::writerFor).write(data, out.encoder);
            out.encoder.flush();
            byte[] framed = out.copy();
            WireFormat.writeHeader(framed, id);
            return framed;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "' with schema id " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The id {@code schema} has under this topic's subject, registered on first use unless told not
     * to; later calls are two map lookups.
     */
    public int schemaId(String topic, Schema schema) {
        String subject = topic + (isKey ? "-key" : "-value");
        try {
            return ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                    .computeIfAbsent(schema, s -> autoRegister ? registry.register(subject, s) : registry.idOf(subject, s));
        } catch (RegistryException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "': registry " + registry.describe() + " refused subject '" + subject + "' (" + e.errorCode()
                    + "): " + e.getMessage(), e);
        }
    }

    private static final byte[] NO_HEADER_YET = new byte[WireFormat.HEADER_SIZE];

    /** One buffer and encoder per thread, reused: a record costs its encoding and one copy of the result. */
    private static final ThreadLocal<Reused> REUSED = ThreadLocal.withInitial(Reused::new);

    private static final class Reused extends ByteArrayOutputStream {
        BinaryEncoder encoder;

        Reused() {
            super(512);
        }

        byte[] copy() {
            return java.util.Arrays.copyOf(buf, count);
        }
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(Schema schema) {
        Class<?> generated = SpecificData.get().getClass(schema);
        if (generated != null && SpecificRecord.class.isAssignableFrom(generated)) {
            return (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(schema, SpecificData.getForClass(generated));
        }
        return new GenericDatumWriter<>(schema);
    }
}
