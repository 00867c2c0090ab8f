package io.hypermesh.connectors.prometheus;

import io.hypermesh.connectors.SampleConnector;
import org.apache.kafka.connect.connector.Task;

/**
 * Serves the bus's health scores, registry counts and lifecycle progress as Prometheus metrics,
 * each sample with the time of the event it came from. One task: one scrape endpoint holds every
 * series (more tasks would split them across endpoints on one port).
 */
public final class PrometheusSinkConnector extends SampleConnector {
    public PrometheusSinkConnector() {
        super(PrometheusSinkConfig.CONFIG, PrometheusSinkConfig::new, 1);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PrometheusSinkTask.class;
    }
}
