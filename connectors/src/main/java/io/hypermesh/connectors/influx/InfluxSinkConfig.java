package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.RegistryConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.net.URI;
import java.util.Map;

/** Where and how the InfluxDB sink writes. */
public final class InfluxSinkConfig extends AbstractConfig {
    public static final String URL = "influx.url";
    public static final String DATABASE = "influx.database";
    public static final String RETENTION_POLICY = "influx.retention.policy";
    public static final String USERNAME = "influx.username";
    public static final String PASSWORD = "influx.password";
    public static final String TOKEN = "influx.token";
    public static final String MEASUREMENT_PREFIX = "influx.measurement.prefix";
    public static final String TIMEOUT_MS = "influx.timeout.ms";

    private static final ConfigDef.Validator HTTP_URL = (name, value) -> {
        try {
            URI u = URI.create(String.valueOf(value));
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new ConfigException(name, value, "must be an http(s)://host:port URL");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, "is not a URL: " + e.getMessage());
        }
    };

    public static final ConfigDef CONFIG = RegistryConfig.withRegistry(new ConfigDef()
            .define(URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, HTTP_URL, ConfigDef.Importance.HIGH,
                    "InfluxDB HTTP API base URL, e.g. http://influxdb:8086 (the 1.x /write endpoint; InfluxDB 2 serves it too).")
            .define(DATABASE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "Database (InfluxDB 2: the bucket mapped to it).")
            .define(RETENTION_POLICY, ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "Retention policy; empty for the default.")
            .define(USERNAME, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM, "User for basic authentication; empty for none.")
            .define(PASSWORD, ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.MEDIUM, "Password of that user.")
            .define(TOKEN, ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.MEDIUM,
                    "API token (Authorization: Token ...); wins over user and password.")
            .define(MEASUREMENT_PREFIX, ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "Put before every measurement name.")
            .define(TIMEOUT_MS, ConfigDef.Type.INT, 10_000, ConfigDef.Range.between(100, 300_000), ConfigDef.Importance.LOW,
                    "How long one write may take before it counts as failed (and is retried)."));

    public InfluxSinkConfig(Map<String, String> props) {
        super(CONFIG, props);
    }
}
