package io.hypermesh.streams.anomaly;

import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;

/**
 * Finishes the bus's own series once they are keyed by series: a series named {@code ..._interval_seconds} becomes the
 * seconds since its previous event, one named {@code ..._step} the change of its value since the previous event (the
 * first event of each gives no sample); every other sample passes as it is.
 */
final class SeriesDerivatives implements Processor<String, MetricEvent, String, MetricEvent> {
    static final String INTERVAL = "_interval_seconds";
    static final String STEP = "_step";

    private ProcessorContext<String, MetricEvent> context;
    private KeyValueStore<String, byte[]> previous;

    @Override
    public void init(ProcessorContext<String, MetricEvent> context) {
        this.context = context;
        this.previous = context.getStateStore(AnomalyTopology.PREVIOUS_STORE);
    }

    @Override
    public void process(Record<String, MetricEvent> record) {
        MetricSample sample = (MetricSample) record.value().getPayload();
        String series = sample.getSeries();
        boolean interval = series.endsWith(INTERVAL);
        if (!interval && !series.endsWith(STEP)) {
            context.forward(record);
            return;
        }
        long at = record.value().getOccurredAt().toEpochMilli();
        byte[] last = previous.get(record.key());
        previous.put(record.key(), ByteBuffer.allocate(16).putLong(at).putDouble(sample.getValue()).array());
        if (last == null) {
            return;
        }
        ByteBuffer before = ByteBuffer.wrap(last);
        long lastAt = before.getLong();
        double lastValue = before.getDouble();
        sample.setValue(interval ? Math.max(0, at - lastAt) / 1000.0 : sample.getValue() - lastValue);
        context.forward(record);
    }
}
