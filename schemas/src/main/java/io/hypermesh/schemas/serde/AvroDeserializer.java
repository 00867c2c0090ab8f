package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Confluent wire-format values. With a target class it resolves the writer's schema to the
 * generated class's schema (Avro schema resolution), otherwise it returns generic records. A value
 * that is not framed, names an unknown id or does not decode fails with a message naming the
 * topic, the schema id and the cause; Kafka adds partition and offset.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    static {
        AvroTrust.install();
    }

    private RegistryClient registry;
    private Class<? extends SpecificRecord> targetType;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer() {
    }

    /** @param targetType generated class to read into, or null for generic records */
    public AvroDeserializer(RegistryClient registry, Class<? extends SpecificRecord> targetType) {
        this.registry = registry;
        this.targetType = targetType;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = SerdeConfig.client(configs);
            Object type = configs.get(SerdeConfig.VALUE_TYPE);
            if (type != null) {
                try {
                    targetType = (Class<? extends SpecificRecord>) Class.forName(type.toString());
                } catch (ClassNotFoundException e) {
                    throw new ConfigException(SerdeConfig.VALUE_TYPE, type, "class not found");
                }
            }
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = WireFormat.schemaId(topic, data);
        DatumReader<T> reader;
        try {
            reader = readers.computeIfAbsent(id, this::readerFor);
        } catch (RegistryException e) {
            throw new SerializationException("record in topic '" + topic + "' names schema id " + id
                    + " that registry " + registry.describe() + " cannot supply (" + e.errorCode() + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SerializationException("record in topic '" + topic + "' was written with schema id " + id
                    + ", which cannot be read as " + (targetType == null ? "a generic record" : targetType.getName())
                    + ": " + e.getMessage(), e);
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                    data.length - WireFormat.HEADER_SIZE, null);
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("trailing bytes after the Avro body");
            }
            return value;
        } catch (Exception e) {
            throw new SerializationException("Avro body of a record in topic '" + topic + "' (schema id " + id
                    + ", " + data.length + " bytes) does not decode: " + e, e);
        }
    }

    private DatumReader<T> readerFor(int id) {
        Schema writer = registry.schemaById(id);
        if (targetType == null) {
            return new GenericDatumReader<>(writer);
        }
        SpecificData model = SpecificData.getForClass(targetType);
        Schema target = model.getSchema(targetType);
        var compatibility = org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(target, writer);
        if (compatibility.getType() != org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException(compatibility.getResult().getIncompatibilities().toString());
        }
        return new SpecificDatumReader<>(writer, target, model);
    }
}
