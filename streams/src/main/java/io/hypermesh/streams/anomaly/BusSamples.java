package io.hypermesh.streams.anomaly;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.consensus.ConsensusEvent;
import io.hypermesh.events.consensus.LeaderChanged;
import io.hypermesh.events.container.ContainerEvent;
import io.hypermesh.events.container.ContainerStateChanged;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.events.health.HealthTransition;
import io.hypermesh.events.health.HealthTransitionEvent;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.InvalidEventException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Instant;
import java.util.Map;

/**
 * The bus's own series, from the events it already carries, each at its event's time:
 * <ul>
 *   <li>per link: {@code link_latency_ms}, {@code link_loss_ratio}, {@code link_throughput_bps};</li>
 *   <li>per consensus cluster: {@code consensus_leader_change_interval_seconds} and {@code consensus_term_step};</li>
 *   <li>per service (its {@code hypermesh.service} label, else the container's name): {@code container_start_interval_seconds},
 *       {@code container_exit_interval_seconds} and {@code container_exit_code};</li>
 *   <li>per health component: {@code health_transition_interval_seconds} (its checks flapping);</li>
 *   <li>per topic: {@code dead_letter_interval_seconds}.</li>
 * </ul>
 * Events that come and go are judged by the time between them: a container restarting every minute
 * is a short interval where hours were usual. An interval or a step needs the previous event of the
 * same series, so those are finished after the samples are keyed by series ({@link SeriesDerivatives}).
 */
final class BusSamples implements Processor<String, SpecificRecord, String, MetricEvent> {
    static final String SERVICE_LABEL = "hypermesh.service";
    private static final EventSource SOURCE = new EventSource("bus", ComponentKind.STREAMS);
    private ProcessorContext<String, MetricEvent> context;

    @Override
    public void init(ProcessorContext<String, MetricEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord event = InvalidEventException.present(record.value(), "a bus topic");
        if (event instanceof TransportEvent e && e.getPayload() instanceof LinkTelemetry link) {
            Map<String, String> labels = Map.of("link", link.getLinkId(), "node", link.getNodeId(), "peer", link.getPeerNodeId());
            emit(e.getEventId(), e.getOccurredAt(), "link_latency_ms", labels, link.getLatencyMs());
            emit(e.getEventId(), e.getOccurredAt(), "link_loss_ratio", labels, link.getLossRatio());
            emit(e.getEventId(), e.getOccurredAt(), "link_throughput_bps", labels, link.getThroughputBps());
        } else if (event instanceof ConsensusEvent e && e.getPayload() instanceof LeaderChanged change) {
            Map<String, String> labels = Map.of("cluster", change.getClusterId());
            emit(e.getEventId(), e.getOccurredAt(), "consensus_leader_change" + SeriesDerivatives.INTERVAL, labels, 0);
            emit(e.getEventId(), e.getOccurredAt(), "consensus_term" + SeriesDerivatives.STEP, labels, change.getTerm());
        } else if (event instanceof ContainerEvent e && e.getPayload() instanceof ContainerStateChanged container) {
            String service = container.getLabels().getOrDefault(SERVICE_LABEL, container.getName());
            Map<String, String> labels = Map.of("service", service);
            switch (container.getAction()) {
                case "start", "restart" -> emit(e.getEventId(), e.getOccurredAt(), "container_start" + SeriesDerivatives.INTERVAL,
                        labels, 0);
                case "die" -> {
                    emit(e.getEventId(), e.getOccurredAt(), "container_exit" + SeriesDerivatives.INTERVAL, labels, 0);
                    if (container.getExitCode() != null) {
                        emit(e.getEventId(), e.getOccurredAt(), "container_exit_code", labels, container.getExitCode());
                    }
                }
                default -> {
                }
            }
        } else if (event instanceof HealthTransitionEvent e && e.getPayload() instanceof HealthTransition transition) {
            emit(e.getEventId(), e.getOccurredAt(), "health_transition" + SeriesDerivatives.INTERVAL,
                    Map.of("component", transition.getComponentId()), 0);
        } else if (event instanceof DeadLetterEvent e && e.getPayload() instanceof DeadLetter letter) {
            emit(e.getEventId(), e.getOccurredAt(), "dead_letter" + SeriesDerivatives.INTERVAL,
                    Map.of("topic", letter.getSourceTopic()), 0);
        }
    }

    private void emit(String eventId, Instant at, String series, Map<String, String> labels, double value) {
        MetricSample point = new MetricSample(series, Map.copyOf(labels), value);
        String key = SeriesJudge.keyOf(point);
        InvalidEventException.require(Double.isFinite(value), key + " is not finite: " + value);
        MetricEvent sample = Envelopes.wrap(Topics.METRICS, eventId + ":" + series, SOURCE, at, point);
        context.forward(new Record<>(key, sample, at.toEpochMilli()));
    }
}
