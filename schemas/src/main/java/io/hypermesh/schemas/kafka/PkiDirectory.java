package io.hypermesh.schemas.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A directory written by {@code hypermesh pki init}, as a client reads it: one PKCS12 store and
 * one password file per component, and the truststore holding the bus's CA.
 */
public final class PkiDirectory {
    public static final String TRUSTSTORE = "truststore";

    private PkiDirectory() {
    }

    /** The PKCS12 store of a component (or of the CA, or the truststore). */
    public static Path storeOf(Path dir, String name) {
        return dir.resolve(name + ".p12");
    }

    /** The password of a component's store (or of the truststore). */
    public static String passwordOf(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name + ".password"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("no password for '" + name + "' in " + dir + " (run hypermesh pki init)", e);
        }
    }

    /**
     * Kafka client settings that connect as {@code component} over mutual TLS: its store, the
     * bus's truststore, and the server's name checked against its certificate.
     */
    public static Map<String, Object> kafkaClientConfig(Path dir, String component) {
        Map<String, Object> c = new HashMap<>();
        c.put("security.protocol", "SSL");
        c.put("ssl.keystore.type", "PKCS12");
        c.put("ssl.keystore.location", storeOf(dir, component).toAbsolutePath().toString());
        c.put("ssl.keystore.password", passwordOf(dir, component));
        c.put("ssl.key.password", passwordOf(dir, component));
        c.put("ssl.truststore.type", "PKCS12");
        c.put("ssl.truststore.location", storeOf(dir, TRUSTSTORE).toAbsolutePath().toString());
        c.put("ssl.truststore.password", passwordOf(dir, TRUSTSTORE));
        c.put("ssl.endpoint.identification.algorithm", "https");
        return c;
    }

}
