package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.kafka.TlsIdentity;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.kafka.common.config.ConfigException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serde settings, named as Confluent names them so existing client configs carry over. */
public final class SerdeConfig {
    /** Comma-separated registry URLs. */
    public static final String REGISTRY_URL = "schema.registry.url";
    /** Register the writer schema on first use (default true); when false it must already be registered. */
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** Fully-qualified generated class to read values into; absent means generic records. */
    public static final String VALUE_TYPE = "hypermesh.avro.value.type";

    private static final Map<String, RegistryClient> CLIENTS = new ConcurrentHashMap<>();

    private SerdeConfig() {
    }

    /**
     * Makes serdes configured with {@code url} use this client, e.g. an in-memory registry under a
     * {@code mem://} name for TopologyTestDriver tests.
     */
    public static void bind(String url, RegistryClient client) {
        CLIENTS.put(url, client);
    }

    /**
     * One cached client per URL list and identity, shared by every serde configured with them. A
     * client that connects to Kafka with a certificate shows it to the registry too.
     */
    public static RegistryClient client(Map<String, ?> configs) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(REGISTRY_URL, url, "a schema registry URL is required by the Avro serdes");
        }
        TlsIdentity tls = TlsIdentity.fromClientSettings(configs);
        String identity = String.valueOf(configs.get("ssl.keystore.location"));
        RegistryClient bound = CLIENTS.get(url.toString());
        return bound != null ? bound : CLIENTS.computeIfAbsent(url + " " + identity, k -> new HttpRegistryClient(url.toString(), tls));
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object value = configs.get(AUTO_REGISTER);
        return value == null || Boolean.parseBoolean(value.toString());
    }
}
