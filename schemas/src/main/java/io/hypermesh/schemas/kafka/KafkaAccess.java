package io.hypermesh.schemas.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one component reaches Kafka: the bootstrap servers plus every further client setting it
 * needs there (its TLS identity on a secured bus, SASL, timeouts). Every producer, consumer and
 * admin client a component builds starts from {@link #clientConfig()}, so an identity given once
 * applies to all of them.
 */
public final class KafkaAccess {
    private static final Set<String> CLIENT_SETTINGS = clientSettings();
    private static final List<String> FILE_SETTINGS = List.of("ssl.keystore.location", "ssl.truststore.location");

    private final Map<String, Object> settings;

    private KafkaAccess(Map<String, Object> settings) {
        this.settings = Map.copyOf(settings);
    }

    /** Plain access to {@code bootstrapServers}, with no further settings. */
    public static KafkaAccess to(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers given");
        }
        return new KafkaAccess(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** These settings added (and winning over any already set), except the bootstrap servers, which stay. */
    public KafkaAccess with(Map<String, ?> more) {
        Map<String, Object> merged = new HashMap<>(settings);
        more.forEach((k, v) -> {
            if (!k.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                merged.put(k, v);
            }
        });
        return new KafkaAccess(merged);
    }

    /** The same servers, reached as {@code component} with its certificate from the bus's PKI in {@code pkiDir}. */
    public KafkaAccess as(Path pkiDir, String component) {
        return with(PkiDirectory.kafkaClientConfig(pkiDir, component));
    }

    /**
     * The settings of a Kafka client properties file added, as Kafka's own tools take with
     * {@code --command-config}: {@code key=value} lines, {@code #} or {@code !} comments.
     *
     * @throws IllegalArgumentException naming the file, the line and the cause, for an unreadable
     *                                  file, a line that is not a setting, an unknown setting, a
     *                                  bootstrap.servers line, or a store file that does not exist
     */
    public KafkaAccess withPropertiesFile(Path file) {
        return with(readClientProperties(file));
    }

    /** Reads and checks a client properties file; see {@link #withPropertiesFile(Path)}. */
    public static Map<String, String> readClientProperties(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the Kafka client settings: " + e.getMessage(), e);
        }
        Map<String, String> read = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = file + ":" + (i + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + "expected key=value, found '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException(where
                        + "bootstrap.servers belongs in --bootstrap-servers (or HYPERMESH_BOOTSTRAP_SERVERS), not in the client settings");
            }
            if (!CLIENT_SETTINGS.contains(key)) {
                throw new IllegalArgumentException(where + "'" + key + "' is not a Kafka client setting");
            }
            if (read.containsKey(key)) {
                throw new IllegalArgumentException(where + "'" + key + "' is set twice");
            }
            if (FILE_SETTINGS.contains(key)) {
                Path named = file.toAbsolutePath().getParent().resolve(value);
                if (!Files.isReadable(named)) {
                    throw new IllegalArgumentException(where + key + ": no readable file " + named);
                }
                value = named.toString();
            }
            read.put(key, value);
        }
        return read;
    }

    public String bootstrapServers() {
        return (String) settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    /** A fresh, mutable copy of the settings, for one client to add its own to. */
    public Map<String, Object> clientConfig() {
        return new HashMap<>(settings);
    }

    /** The same identity for HTTP: the certificate named by these settings, if any. */
    public TlsIdentity tls() {
        return TlsIdentity.fromClientSettings(settings);
    }

    /** Whether the connection is encrypted (SSL or SASL_SSL). */
    public boolean usesTls() {
        Object protocol = settings.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        return protocol != null && protocol.toString().toUpperCase(java.util.Locale.ROOT).endsWith("SSL");
    }

    @Override
    public String toString() {
        Object protocol = settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        return bootstrapServers() + " (" + protocol + ")";
    }

    private static Set<String> clientSettings() {
        Set<String> all = new HashSet<>(ProducerConfig.configNames());
        all.addAll(ConsumerConfig.configNames());
        all.addAll(AdminClientConfig.configNames());
        return Set.copyOf(all);
    }
}
