package io.hypermesh.bus;

import io.hypermesh.platform.testing.Http;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bundled preset on the embedded one-node broker: development and performance start and run
 * what they say (exactly-once folds with one thread; at-least-once folds with two), production and
 * reliability refuse at once with the reason, having started nothing.
 */
class PresetsIT {

    @Test
    void developmentRunsExactlyOnceFoldsOnOneThread(@TempDir Path dir) throws Exception {
        try (HyperMeshBus bus = HyperMeshBus.builder().dataDir(dir).ports(0, 0, 0).start()) {
            assertEquals("development", bus.preset());
            registerAndSee(bus);
            assertEquals(1, streamThreads());
            assertFalse(foldTransactions(bus).isEmpty(), "exactly-once folds commit in transactions");
        }
        assertEquals(0, streamThreads(), "closed: no stream thread left");
    }

    @Test
    void performanceRunsAtLeastOnceFoldsOnTwoThreads(@TempDir Path dir) throws Exception {
        try (HyperMeshBus bus = HyperMeshBus.builder().preset("performance").dataDir(dir).ports(0, 0, 0).start()) {
            assertEquals("performance", bus.preset());
            assertEquals("hypermesh-performance", bus.spec().platform());
            registerAndSee(bus);
            assertEquals(2, streamThreads());
            assertTrue(foldTransactions(bus).isEmpty(), "at-least-once folds use no transactions: " + foldTransactions(bus));
        }
    }

    @Test
    void productionAndReliabilityRefuseAOneNodeBrokerAndStartNothing(@TempDir Path dir) {
        for (String preset : List.of("production", "reliability")) {
            Path data = dir.resolve(preset);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> HyperMeshBus.builder().preset(preset).dataDir(data).ports(0, 0, 0).start().close());
            assertTrue(refused.getMessage().contains("preset " + preset + " keeps 3 replicas")
                    && refused.getMessage().contains("the embedded broker is one node"), refused.getMessage());
            assertFalse(Files.exists(data.resolve("kafka")), "no broker was started for " + preset);
        }
    }

    /** Registers web-1 through the bus's Consul API and waits until its catalog shows it. */
    static void registerAndSee(HyperMeshBus bus) throws InterruptedException {
        Http api = new Http(bus.endpoints().apiUrl());
        assertEquals(200, api.put("/v1/agent/service/register", "{\"ID\":\"web-1\",\"Name\":\"web\",\"Port\":8080}").status());
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Http.Response r = api.get("/v1/catalog/service/web");
            if (r.status() == 200 && r.json().size() == 1) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("web-1 was not seen in the catalog");
    }

    private static long streamThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(StreamsSettings.DEFAULT_APPLICATION_ID)
                        && t.getName().contains("-StreamThread-"))
                .count();
    }

    /** The folds' transactional ids the broker knows of. */
    private static List<String> foldTransactions(HyperMeshBus bus) throws Exception {
        try (Admin admin = Admin.create(bus.kafkaClientConfig("broker"))) {
            return admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream().map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(StreamsSettings.DEFAULT_APPLICATION_ID + "-")).toList();
        }
    }
}
