package io.hypermesh.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * JSON keys and values of the registry's log topic. The key names the entity so compaction keeps
 * its latest value; a null value deletes a subject version or a subject's config.
 */
public final class StoreRecordCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreRecordCodec() {
    }

    public record Encoded(byte[] key, byte[] value) {
    }

    public static Encoded encode(StoreRecord record) {
        ObjectNode key = JSON.createObjectNode();
        ObjectNode value = JSON.createObjectNode();
        boolean tombstone = false;
        if (record instanceof StoreRecord.SchemaId r) {
            key.put("keytype", "SCHEMA_ID").put("id", r.id());
            value.put("id", r.id()).put("schemaType", r.definition().schemaType()).put("schema", r.definition().schema());
            ArrayNode refs = value.putArray("references");
            r.definition().references().forEach(ref -> refs.addObject()
                    .put("name", ref.name()).put("subject", ref.subject()).put("version", ref.version()));
        } else if (record instanceof StoreRecord.SubjectVersion r) {
            key.put("keytype", "SCHEMA").put("subject", r.subject()).put("version", r.version());
            value.put("subject", r.subject()).put("version", r.version()).put("id", r.id()).put("deleted", r.deleted());
        } else if (record instanceof StoreRecord.SubjectVersionTombstone r) {
            key.put("keytype", "SCHEMA").put("subject", r.subject()).put("version", r.version());
            tombstone = true;
        } else if (record instanceof StoreRecord.Config r) {
            key.put("keytype", "CONFIG").put("subject", r.subject());
            if (r.level() == null) {
                tombstone = true;
            } else {
                value.put("compatibilityLevel", r.level().name());
            }
        } else if (record instanceof StoreRecord.Mode r) {
            key.put("keytype", "MODE").put("subject", r.subject());
            if (r.mode() == null) {
                tombstone = true;
            } else {
                value.put("mode", r.mode());
            }
        }
        try {
            return new Encoded(JSON.writeValueAsBytes(key), tombstone ? null : JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode registry record " + record, e);
        }
    }

    /**
     * Decodes one log entry; empty for key types this version does not know (written by a newer
     * registry). Throws {@link IllegalArgumentException} naming the problem for a corrupt entry.
     */
    public static Optional<StoreRecord> decode(byte[] keyBytes, byte[] valueBytes) {
        try {
            JsonNode key = JSON.readTree(keyBytes);
            String type = text(key, "keytype");
            switch (type) {
                case "SCHEMA_ID": {
                    JsonNode value = JSON.readTree(valueBytes);
                    List<SchemaReference> refs = new ArrayList<>();
                    value.path("references").forEach(ref -> refs.add(new SchemaReference(
                            text(ref, "name"), text(ref, "subject"), ref.path("version").asInt())));
                    return Optional.of(new StoreRecord.SchemaId(key.path("id").asInt(), new SchemaDefinition(
                            value.path("schemaType").asText(SchemaDefinition.AVRO), text(value, "schema"), refs)));
                }
                case "SCHEMA": {
                    String subject = text(key, "subject");
                    int version = key.path("version").asInt();
                    if (valueBytes == null) {
                        return Optional.of(new StoreRecord.SubjectVersionTombstone(subject, version));
                    }
                    JsonNode value = JSON.readTree(valueBytes);
                    return Optional.of(new StoreRecord.SubjectVersion(subject, version,
                            value.path("id").asInt(), value.path("deleted").asBoolean(false)));
                }
                case "CONFIG": {
                    String subject = key.path("subject").isNull() ? null : text(key, "subject");
                    CompatibilityLevel level = valueBytes == null ? null
                            : CompatibilityLevel.valueOf(text(JSON.readTree(valueBytes), "compatibilityLevel"));
                    return Optional.of(new StoreRecord.Config(subject, level));
                }
                case "MODE": {
                    String subject = key.path("subject").isNull() || key.path("subject").isMissingNode() ? null : text(key, "subject");
                    String mode = valueBytes == null ? null : text(JSON.readTree(valueBytes), "mode");
                    return Optional.of(new StoreRecord.Mode(subject, mode));
                }
                default:
                    return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("corrupt registry log entry: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v.asText();
    }
}
