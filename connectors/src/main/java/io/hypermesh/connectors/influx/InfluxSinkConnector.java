package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.Versions;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Pushes the bus's health scores, registry counts and lifecycle progress to InfluxDB as line protocol. */
public final class InfluxSinkConnector extends SinkConnector {
    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new InfluxSinkConfig(props); // refuse bad settings now, with the key that is wrong
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return InfluxSinkTask.class;
    }

    /** Registry counts are per task state; keep `hypermesh.registry.state` to one task (or key-partitioned tasks agree per service only when a service's instances share a partition). */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return InfluxSinkConfig.CONFIG;
    }

    @Override
    public String version() {
        return Versions.VERSION;
    }
}
