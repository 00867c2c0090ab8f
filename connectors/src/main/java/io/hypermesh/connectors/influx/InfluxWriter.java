package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.SampleTask;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes a batch in one request. When InfluxDB refuses it (400: a field type conflict, a bad
 * point), each record's points are written on their own and the records refused again are handed
 * to {@code refused}; unavailability surfaces as the client's RetriableException.
 */
public final class InfluxWriter {
    private final InfluxClient client;
    private final String prefix;

    public InfluxWriter(InfluxClient client, String measurementPrefix) {
        this.client = client;
        this.prefix = measurementPrefix;
    }

    public void write(SampleTask.Batch batch, BiConsumer<SinkRecord, RuntimeException> refused) {
        try {
            client.write(LineProtocol.lines(batch.samples(), prefix));
        } catch (InfluxClient.Refused whole) {
            SinkRecord current = null;
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i <= batch.samples().size(); i++) {
                SinkRecord next = i < batch.sources().size() ? batch.sources().get(i) : null;
                if (current != null && next != current) {
                    try {
                        client.write(lines.toString());
                    } catch (InfluxClient.Refused one) {
                        refused.accept(current, one);
                    }
                    lines.setLength(0);
                }
                if (next != null) {
                    lines.append(LineProtocol.lines(List.of(batch.samples().get(i)), prefix));
                }
                current = next;
            }
        }
    }
}
