package io.hypermesh.schemas.serde;

import com.google.protobuf.DynamicMessage;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.ProtobufSchema;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.kafka.common.errors.SerializationException;

import java.nio.ByteBuffer;

/** Reads Confluent-framed Protobuf values as {@link DynamicMessage}s of the message their indexes name. */
public final class ProtobufDeserializer extends SchemaDeserializer<DynamicMessage> {

    /** For Kafka to instantiate; {@link #configure} supplies the registry. */
    public ProtobufDeserializer() {
        super(null);
    }

    public ProtobufDeserializer(RegistryClient registry) {
        super(registry);
    }

    @Override
    DynamicMessage decode(String topic, byte[] data, int id, ParsedSchema schema, ByteBuffer body) {
        if (!(schema instanceof ProtobufSchema protobuf)) {
            throw new SerializationException("record in topic '" + topic + "' was written with a " + schema.schemaType()
                    + " schema, not PROTOBUF");
        }
        return TypedDeserializer.protobufMessage(protobuf, body);
    }
}
