package io.hypermesh.connectors.prometheus;

import io.hypermesh.connectors.RegistryConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/** Where the Prometheus sink serves its scrape endpoint. */
public final class PrometheusSinkConfig extends AbstractConfig {
    public static final String LISTEN_HOST = "prometheus.listen.host";
    public static final String LISTEN_PORT = "prometheus.listen.port";
    public static final String PATH = "prometheus.path";
    public static final String METRIC_PREFIX = "prometheus.metric.prefix";

    public static final ConfigDef CONFIG = RegistryConfig.withRegistry(new ConfigDef()
            .define(LISTEN_HOST, ConfigDef.Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "Address the scrape endpoint binds (0.0.0.0 for all interfaces).")
            .define(LISTEN_PORT, ConfigDef.Type.INT, 9464, ConfigDef.Range.between(0, 65535), ConfigDef.Importance.HIGH,
                    "Port of the scrape endpoint; 0 picks a free one (logged).")
            .define(PATH, ConfigDef.Type.STRING, "/metrics", new ConfigDef.NonEmptyString(), ConfigDef.Importance.LOW,
                    "Path Prometheus scrapes.")
            .define(METRIC_PREFIX, ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW,
                    "Put before every metric name, e.g. 'prod_'."));

    public PrometheusSinkConfig(Map<String, String> props) {
        super(CONFIG, props);
    }
}
