package io.hypermesh.streams.anomaly;

import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.InvalidEventException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.util.Map;

/**
 * The bus's own series from link telemetry: latency, loss and throughput per link, each written to
 * {@code hypermesh.metrics} at the telemetry's event time, where the series detector judges them
 * as it judges any component's samples.
 */
final class TelemetrySamples implements Processor<String, TransportEvent, String, MetricEvent> {
    private ProcessorContext<String, MetricEvent> context;

    @Override
    public void init(ProcessorContext<String, MetricEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, TransportEvent> record) {
        TransportEvent event = InvalidEventException.present(record.value(), Topics.TRANSPORT.name());
        if (!(event.getPayload() instanceof LinkTelemetry link)) {
            return;
        }
        Map<String, String> labels = Map.of("link", link.getLinkId(), "node", link.getNodeId(), "peer", link.getPeerNodeId());
        emit(event, "link_latency_ms", labels, link.getLatencyMs());
        emit(event, "link_loss_ratio", labels, link.getLossRatio());
        emit(event, "link_throughput_bps", labels, link.getThroughputBps());
    }

    private void emit(TransportEvent from, String series, Map<String, String> labels, double value) {
        String key;
        try {
            key = SeriesKeys.of(series, labels);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(e.getMessage());
        }
        InvalidEventException.require(Double.isFinite(value), series + " of link " + labels.get("link") + " is not finite: " + value);
        MetricEvent sample = Envelopes.wrap(Topics.METRICS, from.getEventId() + ":" + series, from.getSource(), from.getOccurredAt(),
                from.getTraceId() == null ? null : from.getTraceId().toString(), new MetricSample(series, Map.copyOf(labels), value));
        context.forward(new Record<>(key, sample, from.getOccurredAt().toEpochMilli()));
    }
}
