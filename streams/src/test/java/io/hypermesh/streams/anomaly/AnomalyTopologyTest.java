package io.hypermesh.streams.anomaly;

import io.hypermesh.events.anomaly.AnomalyCleared;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.container.ContainerEvent;
import io.hypermesh.events.container.ContainerStateChanged;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.events.metrics.MetricScore;
import io.hypermesh.events.metrics.MetricScoreEvent;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import org.apache.kafka.common.serialization.StringSerializer;
import io.hypermesh.streams.health.HealthRules;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnomalyTopologyTest {
    static final String SERIES = "link_latency_ms{link=\"a-b\",node=\"a\",peer=\"b\"}";

    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, MetricEvent> samples;
    TestInputTopic<String, TransportEvent> transport;
    TestOutputTopic<String, MetricScoreEvent> scores;
    TestOutputTopic<String, AnomalyEvent> anomalies;
    KeyValueStore<String, SeriesState> series;

    @BeforeEach
    void start() {
        fx = new DriverFixture(AnomalyTopology::build, stateDir);
        samples = fx.input(Topics.METRICS.name(), MetricEvent.class);
        transport = fx.input(Topics.TRANSPORT.name(), TransportEvent.class);
        scores = fx.output(Topics.METRIC_SCORES.name(), MetricScoreEvent.class);
        anomalies = fx.output(Topics.ANOMALIES.name(), AnomalyEvent.class);
        series = fx.driver.getKeyValueStore(AnomalyTopology.SERIES_STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    /** Link telemetry every second: about 10 ms; from {@code stepAt} about 30 ms. */
    void telemetry(int points, int stepAt) {
        SplittableRandom noise = new SplittableRandom(1);
        for (int i = 0; i < points; i++) {
            Instant at = T0.plusSeconds(i);
            double latency = (i >= stepAt ? 30 : 10) + noise.nextDouble(-0.5, 0.5);
            transport.pipeInput("a-b", TransportEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setSource(DriverFixture.source("transport-a")).setOccurredAt(at).setTraceId(null)
                    .setPayload(new LinkTelemetry("a-b", "a", "b", latency, 0.1, 0.0, 1_000_000L)).build(), at);
        }
    }

    @Test
    void aLatencyStepOnALinkOpensOneAnomalyAtItsFirstPointAndClearsItOnceCalm() {
        telemetry(500, 400);
        List<MetricScore> judged = scores.readValuesToList().stream().map(e -> (MetricScore) e.getPayload())
                .filter(s -> s.getSeriesKey().equals(SERIES)).toList();
        assertEquals(500, judged.size(), "every point of the series is judged once");
        for (int i = 0; i < judged.size(); i++) {
            assertEquals(i + 1, judged.get(i).getPoint());
        }
        List<AnomalyEvent> events = anomalies.readValuesToList().stream()
                .filter(e -> e.getPayload() instanceof AnomalyDetected d ? d.getSubject().equals(SERIES)
                        : ((AnomalyCleared) e.getPayload()).getSubject().equals(SERIES)).toList();
        assertEquals(2, events.size(), events.toString());
        AnomalyDetected detected = (AnomalyDetected) events.get(0).getPayload();
        assertEquals(T0.plusSeconds(400), events.get(0).getOccurredAt(), "opened at the step's first point, in event time");
        assertTrue(detected.getValue() > 29 && detected.getExpectedHigh() < 29, detected.toString());
        assertEquals("step", detected.getEvidence().get("novelty"));
        assertTrue(detected.getCause().contains("never made before"), detected.getCause());
        AnomalyCleared cleared = (AnomalyCleared) events.get(1).getPayload();
        assertEquals(detected.getAnomalyId(), cleared.getAnomalyId());
        // The new level is itself new at its second point; from the third on it is calm, and 12 calm points clear it.
        assertEquals(T0.plusSeconds(401 + AnomalySettings.DEFAULTS.clearAfter()), events.get(1).getOccurredAt());
        assertEquals(AnomalySettings.DEFAULTS.clearAfter() + 2, cleared.getPoints());
        assertEquals(detected.getAnomalyId(), judged.get(400).getAnomalyId(), "the scores name the anomaly open at each point");
        SeriesState state = series.get(SERIES);
        assertEquals(500, state.getPoints());
        assertEquals(1, state.getAnomalies());
        assertNull(state.getOpenAnomalyId());
        KeyValueStore<String, AnomalyRecord> records = fx.driver.getKeyValueStore(AnomalyTopology.RECORDS_STORE);
        AnomalyRecord record = records.get(AnomalyTopology.recordKey(SERIES, 401));
        assertEquals(detected.getAnomalyId(), record.getAnomalyId());
        assertEquals(events.get(1).getOccurredAt(), record.getClearedAt());
        assertEquals(detected.getCause(), record.getCause());
        // The sparkline's ring: the last 120 points, each with its band.
        KeyValueStore<String, SeriesPoint> points = fx.driver.getKeyValueStore(AnomalyTopology.POINTS_STORE);
        List<SeriesPoint> recent = new ArrayList<>();
        points.prefixScan(AnomalyTopology.pointsOf(SERIES), new StringSerializer()).forEachRemaining(kv -> recent.add(kv.value));
        assertEquals(AnomalyTopology.RECENT_POINTS, recent.size());
        assertEquals(LongStream.rangeClosed(381, 500).boxed().toList(), recent.stream().map(SeriesPoint::getPoint).sorted().toList());
        assertEquals(detected.getAnomalyId(), recent.stream().filter(p -> p.getPoint() == 401).findFirst().orElseThrow().getAnomalyId());
    }

    @Test
    void telemetryFeedsLatencyLossAndThroughputSeriesOfEachLink() {
        telemetry(3, Integer.MAX_VALUE);
        for (String name : List.of("link_latency_ms", "link_loss_ratio", "link_throughput_bps")) {
            String key = SeriesKeys.of(name, Map.of("link", "a-b", "node", "a", "peer", "b"));
            assertEquals(3, series.get(key).getPoints(), key);
        }
    }

    @Test
    void aSampleUnderAnotherSeriesKeyOrNotFiniteGoesToTheDeadLetterTopicAndChangesNothing() {
        MetricSample sample = new MetricSample("queue_depth", Map.of("queue", "q1"), 5.0);
        samples.pipeInput("queue_depth", event(sample), T0);
        samples.pipeInput(SeriesKeys.of(sample), event(new MetricSample("queue_depth", Map.of("queue", "q1"), Double.NaN)), T0);
        List<String> reasons = fx.deadLetters().readValuesToList().stream().map(e -> ((DeadLetter) e.getPayload()).getReason())
                .toList();
        assertEquals(2, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).contains("is not the sample's series key 'queue_depth{queue=\"q1\"}'"), reasons.get(0));
        assertTrue(reasons.get(1).contains("not finite"), reasons.get(1));
        assertNull(series.get(SeriesKeys.of(sample)));
        assertTrue(scores.readValuesToList().stream().noneMatch(e -> ((MetricScore) e.getPayload()).getSeriesKey()
                .equals(SeriesKeys.of(sample))));
        // The letters feed a series of their own: the time between them, from the second on.
        assertEquals(1, series.get(SeriesKeys.of("dead_letter_interval_seconds", Map.of("topic", Topics.METRICS.name()))).getPoints());
    }

    @Test
    void aSeriesKeepsItsLatestTenAnomaliesOnly() {
        // A level that moves to a new place every 400 points: an anomaly each time.
        SplittableRandom noise = new SplittableRandom(2);
        String key = SeriesKeys.of("queue_depth", Map.of("queue", "q1"));
        for (int i = 0; i < 400 * 14; i++) {
            double level = Math.pow(2, i / 400);
            samples.pipeInput(key, event(new MetricSample("queue_depth", Map.of("queue", "q1"), level + noise.nextDouble(-0.01, 0.01)),
                    T0.plusSeconds(i)), T0.plusSeconds(i));
        }
        KeyValueStore<String, AnomalyRecord> records = fx.driver.getKeyValueStore(AnomalyTopology.RECORDS_STORE);
        List<AnomalyRecord> kept = new ArrayList<>();
        records.prefixScan(AnomalyTopology.recordsOf(key), new StringSerializer()).forEachRemaining(kv -> kept.add(kv.value));
        long opened = series.get(key).getAnomalies();
        assertTrue(opened > AnomalyTopology.RECORDS_KEPT, "opened " + opened);
        assertEquals(AnomalyTopology.RECORDS_KEPT, kept.size());
        assertEquals(series.get(key).getOpenedPoint(), kept.get(kept.size() - 1).getOpenedPoint(), "the newest is kept");
    }

    @Test
    void aContainerThatStartsRestartingEveryMinuteIsOneAnomalyOnItsServiceOnceItsUsualRestartsAreLearned() {
        TestInputTopic<String, ContainerEvent> containers = fx.input(Topics.CONTAINERS.name(), ContainerEvent.class);
        SplittableRandom jitter = new SplittableRandom(4);
        Instant at = T0;
        // A restart every six hours or so, for a month: 120 starts, more than the 100 a series of rare events needs.
        for (int i = 0; i < 120; i++) {
            at = at.plusSeconds(21_600 + jitter.nextInt(-1_800, 1_800));
            start(containers, at);
        }
        for (int i = 0; i < 10; i++) {
            at = at.plusSeconds(60);
            start(containers, at);
        }
        String key = SeriesKeys.of("container_start_interval_seconds", Map.of("service", "payments"));
        List<AnomalyDetected> opened = anomalies.readValuesToList().stream().filter(e -> e.getPayload() instanceof AnomalyDetected)
                .map(e -> (AnomalyDetected) e.getPayload()).filter(d -> d.getSubject().equals(key)).toList();
        assertEquals(1, opened.size(), opened.toString());
        assertTrue(opened.get(0).getValue() == 60, opened.toString());
        assertEquals(129, series.get(key).getPoints(), "the first start has no interval");
    }

    @Test
    void anAnomalyOnAComponentsSeriesIsReportedToItsHealthAsACheckWhileOpen() {
        TestOutputTopic<String, HealthCheckEvent> checks = fx.output(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class);
        SplittableRandom noise = new SplittableRandom(9);
        Map<String, String> labels = Map.of("component", "db-1", "table", "orders");
        String key = SeriesKeys.of("query_ms", labels);
        for (int i = 0; i < 500; i++) {
            double value = (i >= 400 && i < 430 ? 90 : 30) + noise.nextDouble(-1, 1);
            samples.pipeInput(key, event(new MetricSample("query_ms", labels, value), T0.plusSeconds(i)), T0.plusSeconds(i));
        }
        List<HealthCheckResult> reported = checks.readValuesToList().stream().map(e -> (HealthCheckResult) e.getPayload()).toList();
        assertEquals(2, reported.size(), reported.toString());
        String id = series.get(key).getSeriesKey() + "@401";
        assertEquals("db-1", reported.get(0).getComponentId());
        assertEquals(HealthRules.ANOMALY_CHECK + id, reported.get(0).getCheckId());
        assertEquals(CheckStatus.WARNING, reported.get(0).getStatus());
        assertEquals(HealthRules.ANOMALY_CHECK + id, reported.get(1).getCheckId());
        assertEquals(CheckStatus.PASSING, reported.get(1).getStatus());
    }

    static void start(TestInputTopic<String, ContainerEvent> containers, Instant at) {
        containers.pipeInput("c-" + at.getEpochSecond(), ContainerEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSource(DriverFixture.source("containers")).setOccurredAt(at).setTraceId(null)
                .setPayload(new ContainerStateChanged("c-" + at.getEpochSecond(), "payments-1", "payments:1", "start", "running", null,
                        Map.of("hypermesh.service", "payments"))).build(), at);
    }

    static MetricEvent event(MetricSample sample, Instant at) {
        return MetricEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(DriverFixture.source("svc"))
                .setOccurredAt(at).setTraceId(null).setPayload(sample).build();
    }

    static MetricEvent event(MetricSample sample) {
        return MetricEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(DriverFixture.source("svc"))
                .setOccurredAt(T0).setTraceId(null).setPayload(sample).build();
    }
}
