package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.SampleTask;

import java.util.Map;

/** Pushes each batch to InfluxDB through an {@link InfluxWriter}; refused records go to the errant-record reporter. */
public final class InfluxSinkTask extends SampleTask {
    private InfluxWriter writer;

    @Override
    public void start(Map<String, String> props) {
        InfluxSinkConfig config = new InfluxSinkConfig(props);
        startSamples(config);
        writer = new InfluxWriter(new InfluxClient(config), config.getString(InfluxSinkConfig.MEASUREMENT_PREFIX));
    }

    @Override
    protected void write(Batch batch) {
        writer.write(batch, this::report);
    }

    @Override
    public void stop() {
    }
}
