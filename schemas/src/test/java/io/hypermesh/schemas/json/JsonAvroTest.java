package io.hypermesh.schemas.json;

import io.hypermesh.schemas.testing.SampleEvents;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonAvroTest {
    final Schema registry = Topics.REGISTRY.valueSchema();

    @Test
    void everySampleEventSurvivesJsonAndBack() {
        for (SampleEvents.Sample sample : SampleEvents.all()) {
            Schema schema = sample.envelope().getSchema();
            String json = JsonAvro.toJson(sample.envelope(), schema).toString();
            assertEquals(sample.envelope(), JsonAvro.toRecord(json, schema), sample.payloadType() + ": " + json);
        }
    }

    @Test
    void plainJsonFillsDefaultsAndPicksTheFittingUnionBranch() {
        GenericRecord r = JsonAvro.toRecord("{\"eventId\":\"e\",\"source\":{\"componentId\":\"c\",\"kind\":\"SERVICE\"},"
                + "\"occurredAt\":\"2026-01-31T12:00:00Z\",\"payload\":{\"instanceId\":\"i\",\"serviceName\":\"api\","
                + "\"endpoint\":{\"host\":\"10.0.0.1\",\"port\":80},\"ttlMs\":10000}}", registry);
        GenericRecord payload = (GenericRecord) r.get("payload");
        assertEquals("ServiceRegistered", payload.getSchema().getName());
        assertEquals("tcp", ((GenericRecord) payload.get("endpoint")).get("protocol").toString());
        assertEquals(1_769_860_800_000L, r.get("occurredAt"));
        assertEquals(null, r.get("traceId"));
    }

    @Test
    void aOneKeyWrapperChoosesTheBranch() {
        GenericRecord r = JsonAvro.toRecord("{\"eventId\":\"e\",\"source\":{\"componentId\":\"c\",\"kind\":\"SERVICE\"},"
                + "\"occurredAt\":1,\"payload\":{\"ServiceDeregistered\":{\"instanceId\":\"i\"}}}", registry);
        assertEquals("ServiceDeregistered", ((GenericRecord) r.get("payload")).getSchema().getName());
    }

    @Test
    void mistakesAreNamedWithTheirPath() {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> JsonAvro.toRecord(
                "{\"eventId\":\"e\",\"sorce\":{}}", registry));
        assertTrue(typo.getMessage().contains("unknown field 'sorce'"), typo.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> JsonAvro.toRecord(
                "{\"eventId\":\"e\",\"source\":{\"componentId\":\"c\",\"kind\":\"ROBOT\"},\"occurredAt\":1,"
                        + "\"payload\":{\"instanceId\":\"i\"}}", registry));
        assertTrue(kind.getMessage().startsWith("$.source.kind: expected one of"), kind.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonAvro.toRecord("[1,2]", registry));
        assertThrows(IllegalArgumentException.class, () -> JsonAvro.toRecord("{oops", registry));
    }
}
