package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.SampleConnector;
import org.apache.kafka.connect.connector.Task;

/**
 * Pushes the bus's health scores, registry counts and lifecycle progress to InfluxDB as line
 * protocol. Registry counts are task state: with more than one task, a service's count is right
 * only when all its instances are in one task's partitions, so keep `hypermesh.registry.state` on
 * one task (tasks.max=1) unless counts per task are what you want.
 */
public final class InfluxSinkConnector extends SampleConnector {
    public InfluxSinkConnector() {
        super(InfluxSinkConfig.CONFIG, InfluxSinkConfig::new, Integer.MAX_VALUE);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return InfluxSinkTask.class;
    }
}
