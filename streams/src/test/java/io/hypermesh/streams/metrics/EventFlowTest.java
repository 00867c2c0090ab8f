package io.hypermesh.streams.metrics;

import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.FoldMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's flow is read from the same meters /metrics shows: rates from the counters, the p99 from the histogram's buckets. */
class EventFlowTest {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** A fixed clock: an event's age is exactly what the test says, however loaded the machine. */
    static final long NOW = 1_800_000_000_000L;
    final FoldMeters meters = new FoldMeters(registry, () -> NOW);

    /** As if the event occurred {@code ms} ago. */
    void applied(long ms) {
        meters.folded(Topics.REGISTRY.name(), FoldMetrics.Outcome.APPLIED, NOW - ms);
    }

    static EventFlow.FoldFlow registry(EventFlow flow) {
        return flow.view().folds().stream().filter(f -> f.fold().equals("registry")).findFirst().orElseThrow();
    }

    @Test
    void theP99IsTheBucketItFallsInOverTheWindowOnly() {
        EventFlow flow = new EventFlow(registry, java.util.List::of);
        // Before the window: slow ones, which must not count in it.
        for (int i = 0; i < 50; i++) {
            applied(30_000);
        }
        assertTrue(flow.sample(), "the first sample is a change");
        for (int i = 0; i < 99; i++) {
            applied(3);
        }
        applied(400);
        assertTrue(flow.sample());
        EventFlow.FoldFlow registryFlow = registry(flow);
        assertEquals(100, registryFlow.applied());
        assertEquals(5.0, registryFlow.p99Ms(), "99 of 100 within the 5 ms bucket");
        applied(400);
        applied(400);
        flow.sample();
        assertEquals(500.0, registry(flow).p99Ms(), "3 of 102 slow: the p99 is in the 500 ms bucket");
        assertTrue(flow.view().topics().stream().anyMatch(t -> t.topic().equals(Topics.REGISTRY.name()) && t.perSecond() > 0));
    }

    @Test
    void aQuietWindowIsAChangeOnceThenNoMore() {
        EventFlow flow = new EventFlow(registry, java.util.List::of);
        flow.sample();
        applied(1);
        assertTrue(flow.sample(), "something was folded");
        for (int i = 0; i < EventFlow.WINDOW; i++) {
            flow.sample();
        }
        // The window no longer holds the event: its rate dropped to 0, which the last samples said.
        assertEquals(0.0, flow.view().topics().stream().mapToDouble(EventFlow.TopicFlow::perSecond).sum());
        assertFalse(flow.sample(), "quiet and already shown as quiet");
    }

    @Test
    void aFailureWithoutASourceTopicIsCountedUnderUnknown() {
        meters.folded(null, FoldMetrics.Outcome.REFUSED, -1);
        meters.deadLettered(null, FoldMetrics.DeadLetterReason.FAILED);
        io.hypermesh.streams.testing.Scrape s = new io.hypermesh.streams.testing.Scrape(registry.scrape());
        assertEquals(1.0, s.value("hypermesh_events_folded_total", "topic", "unknown", "outcome", "refused").orElseThrow());
        assertEquals(1.0, s.value("hypermesh_dead_letters_total", "topic", "unknown", "reason", "failed").orElseThrow());
    }
}
