package io.hypermesh.schemas.serde;

import com.google.protobuf.DynamicMessage;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.ProtobufSchema;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.ByteBuffer;
import java.util.Map;

/** Reads Confluent-framed Protobuf values as {@link DynamicMessage}s of the message their indexes name. */
public final class ProtobufDeserializer implements Deserializer<DynamicMessage> {
    private TypedSchemas schemas;

    /** For Kafka to instantiate; {@link #configure} supplies the registry. */
    public ProtobufDeserializer() {
    }

    public ProtobufDeserializer(RegistryClient registry) {
        this.schemas = new TypedSchemas(registry);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (schemas == null) {
            schemas = new TypedSchemas(SerdeConfig.client(configs));
        }
    }

    @Override
    public DynamicMessage deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        ParsedSchema schema = schemas.forRecord(topic, data);
        if (!(schema instanceof ProtobufSchema protobuf)) {
            throw new SerializationException("record in topic '" + topic + "' was written with a " + schema.schemaType()
                    + " schema, not PROTOBUF");
        }
        return TypedDeserializer.protobufMessage(protobuf, ByteBuffer.wrap(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE));
    }
}
