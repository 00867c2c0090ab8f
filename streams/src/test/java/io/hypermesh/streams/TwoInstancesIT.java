package io.hypermesh.streams;

import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Traffic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two instances share the partitions; each answers every query, routed to the owner, during and after rebalances. */
@KafkaIT
class TwoInstancesIT {

    @Test
    void bothInstancesAnswerIdenticallyDuringAndAfterRebalances(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka)) {
            String appId = BusFixture.uniqueAppId();
            StreamsApp first = bus.start(bus.settings(appId));
            Traffic traffic = new Traffic();
            traffic.send(new Http(first.url()), bus.external());
            List<String> expected = until(() -> traffic.snapshot(new Http(first.url())), traffic::settled,
                    Duration.ofSeconds(60), "the traffic folded");

            // Keep querying the first instance while a second one joins and takes partitions away.
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<List<String>> duringRebalance = pool.submit(() -> {
                List<String> wrong = new ArrayList<>();
                Http api = new Http(first.url());
                int rounds = 0;
                while (!stop.get() || rounds < 3) {
                    for (String path : traffic.views()) {
                        Http.Response r = api.get(path);
                        if (r.status() != 200) {
                            wrong.add(path + " -> " + r.status() + " " + r.body());
                        }
                    }
                    rounds++;
                }
                return wrong;
            });
            StreamsApp second = bus.start(bus.settings(appId));
            until(() -> first.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING, ok -> ok,
                    Duration.ofSeconds(60), "first instance running again");
            Thread.sleep(2000);
            stop.set(true);
            List<String> failures = duringRebalance.get();
            pool.shutdown();
            assertTrue(failures.isEmpty(), "every query answered during the rebalance: " + failures);

            Http a = new Http(first.url());
            Http b = new Http(second.url());
            assertEquals(expected, until(() -> traffic.snapshot(b), expected::equals, Duration.ofSeconds(60),
                    "the second instance answers like the first"));
            assertEquals(expected, traffic.snapshot(a));
            String scanA = until(() -> a.get("/v1/hypermesh/lifecycle/components").body(), body ->
                    body.equals(b.get("/v1/hypermesh/lifecycle/components").body()),
                    Duration.ofSeconds(30), "scans merge the same parts on both instances");
            for (String component : traffic.components) {
                assertTrue(scanA.contains(component), "scan gathers from both instances: " + component);
            }
            assertEquals(a.get("/v1/hypermesh/lifecycle/phases").body(), b.get("/v1/hypermesh/lifecycle/phases").body());

            // Consul's views: the same answer and the same X-Consul-Index on both instances.
            for (String service : traffic.services) {
                for (String view : List.of("/v1/catalog/service/", "/v1/health/service/", "/v1/health/checks/")) {
                    assertEquals(index(first.url() + view + service), index(second.url() + view + service), view + service);
                    assertEquals(a.get(view + service).body(), b.get(view + service).body(), view + service);
                }
            }
            // Read-your-write across instances: a write answered by one is seen at once by the other.
            for (int i = 0; i < 10; i++) {
                String id = traffic.prefix + "-ryw-" + i;
                Http writer = i % 2 == 0 ? b : a;
                Http reader = i % 2 == 0 ? a : b;
                assertEquals(200, writer.put("/v1/agent/service/register", "{\"ID\":\"" + id + "\",\"Name\":\"" + traffic.prefix
                        + "-ryw\",\"Port\":80}").status());
                assertTrue(reader.get("/v1/catalog/service/" + traffic.prefix + "-ryw").body().contains("\"" + id + "\""), id
                        + " read at once");
            }

            // The first one leaves: the second takes everything over and still answers the same.
            bus.stop(first);
            assertEquals(expected, until(() -> traffic.snapshot(b), expected::equals, Duration.ofSeconds(60),
                    "the survivor answers everything"));
        }
    }

    static long index(String url) throws Exception {
        return Long.parseLong(java.net.http.HttpClient.newHttpClient()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).headers().firstValue("X-Consul-Index").orElseThrow());
    }
}
