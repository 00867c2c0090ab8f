package io.hypermesh.connectors.prometheus;

import io.hypermesh.connectors.Versions;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

import java.util.List;
import java.util.Map;

/**
 * Serves the bus's health scores, registry counts and lifecycle progress as Prometheus metrics,
 * each sample with the time of the event it came from. One task: one scrape endpoint holds every
 * series (more tasks would split them across endpoints on one port).
 */
public final class PrometheusSinkConnector extends SinkConnector {
    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new PrometheusSinkConfig(props); // refuse bad settings now, with the key that is wrong
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PrometheusSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return PrometheusSinkConfig.CONFIG;
    }

    @Override
    public String version() {
        return Versions.VERSION;
    }
}
