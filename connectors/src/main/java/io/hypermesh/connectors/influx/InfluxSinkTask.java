package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.SampleTask;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.List;
import java.util.Map;

/**
 * Pushes each batch to InfluxDB in one write. When InfluxDB refuses the batch (400: a field type
 * conflict, a bad point), each record's points are written on their own and only the records that
 * are refused again go to the errant-record reporter; unavailability is retried by the worker.
 */
public final class InfluxSinkTask extends SampleTask {
    private InfluxClient client;
    private String prefix;

    @Override
    public void start(Map<String, String> props) {
        InfluxSinkConfig config = new InfluxSinkConfig(props);
        startSamples(config);
        client = new InfluxClient(config);
        prefix = config.getString(InfluxSinkConfig.MEASUREMENT_PREFIX);
    }

    @Override
    protected void write(Batch batch) {
        try {
            client.write(LineProtocol.lines(batch.samples(), prefix));
        } catch (InfluxClient.Refused refused) {
            SinkRecord current = null;
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i <= batch.samples().size(); i++) {
                SinkRecord next = i < batch.sources().size() ? batch.sources().get(i) : null;
                if (current != null && next != current) {
                    writeOne(current, lines.toString());
                    lines.setLength(0);
                }
                if (next != null) {
                    lines.append(LineProtocol.lines(List.of(batch.samples().get(i)), prefix));
                }
                current = next;
            }
        }
    }

    private void writeOne(SinkRecord record, String lines) {
        try {
            client.write(lines);
        } catch (InfluxClient.Refused refused) {
            report(record, refused);
        }
    }

    @Override
    public void stop() {
    }

}
