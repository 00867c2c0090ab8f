package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.kafka.TlsIdentity;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.kafka.common.config.ConfigException;

import java.util.Map;

/** Serde settings, named as Confluent names them so existing client configs carry over. */
public final class SerdeConfig {
    /** Comma-separated registry URLs. */
    public static final String REGISTRY_URL = "schema.registry.url";
    /**
     * A {@link RegistryClient} object, for configs built in code (Kafka passes objects through to
     * {@code configure}): serdes and handlers Kafka creates by class name then share the client the
     * application made, with its TLS identity and its cache, instead of each making one from a URL.
     */
    public static final String REGISTRY_CLIENT = "hypermesh.registry.client";
    /** Register the writer schema on first use (default true); when false it must already be registered. */
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** Fully-qualified generated class to read values into; absent means generic records. */
    public static final String VALUE_TYPE = "hypermesh.avro.value.type";

    private SerdeConfig() {
    }

    /**
     * The client the configs hand over, or a new one for their URLs. A client that connects to
     * Kafka with a certificate shows it to the registry too.
     */
    public static RegistryClient client(Map<String, ?> configs) {
        if (configs.get(REGISTRY_CLIENT) instanceof RegistryClient given) {
            return given;
        }
        Object url = configs.get(REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(REGISTRY_URL, url, "a schema registry URL is required by the Avro serdes");
        }
        return new HttpRegistryClient(url.toString(), TlsIdentity.fromClientSettings(configs));
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object value = configs.get(AUTO_REGISTER);
        return value == null || Boolean.parseBoolean(value.toString());
    }
}
