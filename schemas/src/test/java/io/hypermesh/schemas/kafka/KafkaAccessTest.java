package io.hypermesh.schemas.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaAccessTest {
    @Test
    void aSettingsFileAddsToEveryClientAndNamesStoresRelativeToItself(@TempDir Path dir) throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Files.writeString(pki.resolve("me.p12"), "store");
        Files.writeString(pki.resolve("truststore.p12"), "trust");
        Path file = pki.resolve("me.properties");
        Files.writeString(file, """
                # identity of me
                ! another comment style
                security.protocol = SSL
                ssl.keystore.location=me.p12
                ssl.truststore.location=truststore.p12

                ssl.keystore.password=s3cret=with=equals
                """);

        KafkaAccess access = KafkaAccess.to("h:9093").withPropertiesFile(file);

        Map<String, Object> config = access.clientConfig();
        assertEquals("h:9093", access.bootstrapServers());
        assertEquals("h:9093", config.get("bootstrap.servers"));
        assertEquals("SSL", config.get("security.protocol"));
        assertEquals(pki.resolve("me.p12").toAbsolutePath().toString(), config.get("ssl.keystore.location"));
        assertEquals("s3cret=with=equals", config.get("ssl.keystore.password"));
        assertTrue(access.usesTls());
        config.put("acks", "all");
        assertFalse(access.clientConfig().containsKey("acks"), "each client gets its own copy");
    }

    @Test
    void withNeverMovesTheBootstrapServers() {
        KafkaAccess access = KafkaAccess.to("a:1").with(Map.of("bootstrap.servers", "b:2", "client.id", "x"));
        assertEquals("a:1", access.bootstrapServers());
        assertEquals("x", access.clientConfig().get("client.id"));
        assertFalse(access.usesTls());
    }

    @Test
    void badSettingsFilesAreRefusedWithFileLineAndCause(@TempDir Path dir) throws Exception {
        assertRefused(dir, "security.protocol=SSL\nnot a setting\n", ":2: expected key=value, found 'not a setting'");
        assertRefused(dir, "\nsecurity.protcol=SSL\n", ":2: 'security.protcol' is not a Kafka client setting");
        assertRefused(dir, "bootstrap.servers=x:1\n", ":1: bootstrap.servers belongs in --bootstrap-servers");
        assertRefused(dir, "acks=all\nacks=1\n", ":2: 'acks' is set twice");
        assertRefused(dir, "ssl.keystore.location=missing.p12\n", ":1: ssl.keystore.location: no readable file "
                + dir.resolve("missing.p12"));
        assertRefused(dir, "=x\n", ":1: expected key=value, found '=x'");
        Path absent = dir.resolve("absent.properties");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaAccess.to("h:1").withPropertiesFile(absent));
        assertTrue(e.getMessage().startsWith(absent + ": cannot read"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaAccess.to(" "));
    }

    private static void assertRefused(Path dir, String content, String expected) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaAccess.to("h:1").withPropertiesFile(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
