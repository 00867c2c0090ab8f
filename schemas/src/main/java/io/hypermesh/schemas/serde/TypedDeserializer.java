package io.hypermesh.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.hypermesh.schemas.format.AvroParsedSchema;
import io.hypermesh.schemas.format.JsonSchema;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.ProtobufSchema;
import io.hypermesh.schemas.json.JsonAvro;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads a value of any of the registry's types as JSON: Avro through its writer schema, JSON
 * Schema documents validated against theirs, Protobuf messages through the message their indexes
 * name (printed with protobuf's JSON mapping). What a viewer such as {@code hypermesh tail} needs
 * to show a topic whatever its producers chose.
 */
public final class TypedDeserializer extends SchemaDeserializer<JsonNode> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer PROTOBUF_JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    /** For Kafka to instantiate; {@link #configure} supplies the registry. */
    public TypedDeserializer() {
        super(null);
    }

    public TypedDeserializer(RegistryClient registry) {
        super(registry);
    }

    @Override
    JsonNode decode(String topic, byte[] data, int id, ParsedSchema schema, ByteBuffer body) {
        try {
            if (schema instanceof AvroParsedSchema avro) {
                return avro(avro, body);
            }
            if (schema instanceof JsonSchema json) {
                return json(json, body);
            }
            if (schema instanceof ProtobufSchema protobuf) {
                return protobuf(protobuf, body);
            }
            throw new SerializationException("schema id " + id + " is of type " + schema.schemaType());
        } catch (IOException | RuntimeException e) {
            throw e instanceof SerializationException se ? se : new SerializationException("record in topic '" + topic
                    + "' does not decode with its " + schema.schemaType() + " schema id " + id + ": " + e.getMessage()
                    + "; first bytes: " + WireFormat.hex(data), e);
        }
    }

    private static JsonNode avro(AvroParsedSchema schema, ByteBuffer body) throws IOException {
        GenericRecord record = new GenericDatumReader<GenericRecord>(schema.schema()).read(null,
                DecoderFactory.get().binaryDecoder(body.array(), body.position(), body.remaining(), null));
        return JsonAvro.toJson(record, schema.schema());
    }

    private static JsonNode json(JsonSchema schema, ByteBuffer body) throws IOException {
        JsonNode document = JSON.readTree(body.array(), body.position(), body.remaining());
        List<String> errors = schema.validate(document);
        if (!errors.isEmpty()) {
            throw new SerializationException("the document does not match its JSON Schema: " + errors);
        }
        return document;
    }

    private static JsonNode protobuf(ProtobufSchema schema, ByteBuffer body) throws IOException {
        return JSON.readTree(PROTOBUF_JSON.print(protobufMessage(schema, body)));
    }

    /** The message after the header: its indexes name its type in {@code schema}. */
    static DynamicMessage protobufMessage(ProtobufSchema schema, ByteBuffer body) {
        var message = schema.messageAt(WireFormat.readMessageIndexes(body));
        try {
            return DynamicMessage.parseFrom(message, CodedInputStream.newInstance(body.array(), body.position(), body.remaining()));
        } catch (IOException e) {
            throw new SerializationException("not a " + message.getFullName() + ": " + e.getMessage(), e);
        }
    }
}
