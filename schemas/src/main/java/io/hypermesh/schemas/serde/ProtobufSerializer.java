package io.hypermesh.schemas.serde;

import com.google.protobuf.Message;
import io.hypermesh.schemas.format.ProtobufSchema;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;

import java.io.ByteArrayOutputStream;

/**
 * Writes Protobuf messages (generated or {@code DynamicMessage}) in Confluent's wire format: the
 * header, the message's indexes in the registered file, then the message. The message's type
 * must be one the schema declares, by full name.
 */
public final class ProtobufSerializer extends TypedSerializer<Message, ProtobufSchema> {

    /** For Kafka to instantiate: the subject's latest schema, from the registry {@code configure} names. */
    public ProtobufSerializer() {
        this(null, null);
    }

    /** @param schema the .proto to register and write with; null for the subject's latest */
    public ProtobufSerializer(RegistryClient registry, SchemaText schema) {
        super(ProtobufSchema.class, registry, schema);
    }

    @Override
    byte[] body(String topic, Message data, ProtobufSchema schema) {
        var indexes = ProtobufSchema.indexesOf(schema.message(data.getDescriptorForType().getFullName()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(WireFormat.messageIndexes(indexes));
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }
}
