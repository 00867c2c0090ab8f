package io.hypermesh.connectors;

import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.SerdeConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/** The schema registry setting both sinks share: records stay bytes in the worker and are decoded by the task. */
public final class RegistryConfig {
    public static final String REGISTRY_URL = SerdeConfig.REGISTRY_URL;

    private RegistryConfig() {
    }

    public static ConfigDef withRegistry(ConfigDef def) {
        return def.define(REGISTRY_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                ConfigDef.Importance.HIGH, "Confluent-compatible schema registry URL(s), comma-separated, that the bus's records name "
                        + "their schema ids in. Use value.converter=org.apache.kafka.connect.converters.ByteArrayConverter.");
    }

    public static RegistryClient client(AbstractConfig config) {
        return SerdeConfig.client(Map.of(REGISTRY_URL, config.getString(REGISTRY_URL)));
    }
}
