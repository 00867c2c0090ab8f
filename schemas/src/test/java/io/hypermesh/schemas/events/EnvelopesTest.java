package io.hypermesh.schemas.events;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.lifecycle.ComponentHeartbeat;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopesTest {
    private static final EventSource SOURCE = new EventSource("web-1", ComponentKind.SERVICE);

    @Test
    void aPayloadGoesIntoTheEnvelopeOfTheTopicThatCarriesIt() {
        Instant before = Instant.now();
        SpecificRecord event = Envelopes.wrap(SOURCE, new ServiceHeartbeat("web-1", "web"));
        RegistryEvent registry = assertInstanceOf(RegistryEvent.class, event);
        assertEquals(new ServiceHeartbeat("web-1", "web"), registry.getPayload());
        assertEquals(SOURCE, registry.getSource());
        assertNull(registry.getTraceId());
        assertTrue(!registry.getOccurredAt().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), "stamped now");
        assertNotEquals(registry.getEventId(), ((RegistryEvent) Envelopes.wrap(SOURCE, new ServiceHeartbeat("web-1", "web"))).getEventId(),
                "a fresh id each time");
        assertSame(Topics.LIFECYCLE, Envelopes.topicOf(new ComponentHeartbeat("c", LifecycleState.READY, 1L)));
        assertSame(Topics.AUDIT, Envelopes.topicOf(new AuditCheckpoint()));
    }

    @Test
    void givenIdTimeAndTraceAreKept() {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        LifecycleEvent event = Envelopes.wrap(Topics.LIFECYCLE, "fixed-id", SOURCE, at, "00-abc-def-01",
                new ComponentHeartbeat("c", LifecycleState.READY, 5L));
        assertEquals("fixed-id", event.getEventId());
        assertEquals(at, event.getOccurredAt());
        assertEquals("00-abc-def-01", event.getTraceId());
    }

    @Test
    void aPayloadTheTopicDoesNotCarryIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Envelopes.wrap(Topics.REGISTRY, SOURCE, new ComponentHeartbeat("c", LifecycleState.READY, 1L)));
        assertEquals("a ComponentHeartbeat is not a payload of hypermesh.registry", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Envelopes.wrap(Topics.COORDINATOR, SOURCE, new ServiceHeartbeat("w", "w")));
    }
}
