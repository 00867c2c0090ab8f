package io.hypermesh.adapters.audit;

import io.hypermesh.schemas.json.JsonAvro;
import org.apache.avro.generic.GenericRecord;

import java.util.function.Predicate;

/** How a replay reads audit records: which ones a filter keeps, and each as JSON, entries and records alike. */
final class AuditRecords {
    private AuditRecords() {
    }

    static Predicate<GenericRecord> kept(AuditLog.Filter filter) {
        return event -> {
            long at = (Long) event.get("occurredAt");
            if ((filter.from() != null && at < filter.from().toEpochMilli()) || (filter.to() != null && at >= filter.to().toEpochMilli())) {
                return false;
            }
            GenericRecord payload = readable((GenericRecord) event.get("payload"));
            if (filter.adapterId() != null && !filter.adapterId().equals(String.valueOf(payload.get("adapterId")))) {
                return false;
            }
            boolean isRecord = payload.getSchema().getField("actor") != null;
            if (filter.actor() != null && !(isRecord && filter.actor().equals(String.valueOf(payload.get("actor"))))) {
                return false;
            }
            return filter.action() == null || (isRecord && matches(filter.action(), String.valueOf(payload.get("action"))));
        };
    }

    /** An action filter ending in '*' is a prefix. */
    private static boolean matches(String pattern, String action) {
        return pattern.endsWith("*") ? action.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(action);
    }

    /**
     * A format-2 entry's content decoded, as the fields a format-1 record had in the open; any other
     * payload as it is. Filters and JSON output read entries and records alike.
     */
    private static GenericRecord readable(GenericRecord payload) {
        if (payload.getSchema().getField("content") == null) {
            return payload;
        }
        return AuditTrail.decode((java.nio.ByteBuffer) payload.get("content"),
                "audit entry " + payload.get("sequence") + " of " + payload.get("adapterId"));
    }

    /** The event as JSON, a format-2 entry's content shown as the record it encodes rather than as bytes. */
    static String json(GenericRecord event) {
        com.fasterxml.jackson.databind.JsonNode json = JsonAvro.toJson(event, event.getSchema());
        GenericRecord payload = (GenericRecord) event.get("payload");
        GenericRecord content = readable(payload);
        if (content != payload) {
            // The payload sits under its union branch's name.
            for (com.fasterxml.jackson.databind.JsonNode branch : json.get("payload")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) branch).set("content", JsonAvro.toJson(content, content.getSchema()));
            }
        }
        return json.toString();
    }
}
