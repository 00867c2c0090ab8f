package io.hypermesh.coordinator.cli;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh registry` as real processes on one cluster: each serves the Confluent API, and both serve every schema either registered. */
@KafkaIT
class RegistryCommandIT {
    @Test
    void twoRegistryProcessesShareTheLogOnTheCluster(EmbeddedKafka kafka) throws Exception {
        String bootstrap = "--bootstrap-servers=" + kafka.bootstrapServers();
        try (HypermeshProcess first = new HypermeshProcess("registry", bootstrap, "--port=0");
             HypermeshProcess second = new HypermeshProcess("registry", bootstrap, "--port=0")) {
            first.awaitLine("Schema registry: ", 90);
            second.awaitLine("Schema registry: ", 90);
            Http a = new Http(url(first));
            Http b = new Http(url(second));
            String schema = Http.schemaBody("{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
            Http.Response registered = a.post("/subjects/registry-cli-value/versions", schema);
            assertEquals(200, registered.status(), registered.body());
            int id = registered.json().path("id").asInt();
            Http.Response seen = b.get("/schemas/ids/" + id);
            assertEquals(200, seen.status(), seen.body());
            assertTrue(seen.body().contains("Probe"), seen.body());
            assertTrue(b.get("/subjects").body().contains("registry-cli-value"));
            assertTrue(first.terminate(60) && second.terminate(60), "both stop on SIGTERM");
        }
    }

    private static String url(HypermeshProcess registry) {
        return registry.line("Schema registry: ").replaceAll("^Schema registry: (\\S+) .*$", "$1");
    }
}
