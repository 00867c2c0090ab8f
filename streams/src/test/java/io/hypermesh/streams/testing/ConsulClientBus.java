package io.hypermesh.streams.testing;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.streams.app.StreamsApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ConsulClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * What the tests through {@code vertx-consul-client} share: a running bus with the client pointed at
 * it, as an application would point it at a Consul agent. A test class extends it (and is a
 * {@code @KafkaIT}).
 */
public abstract class ConsulClientBus {
    protected static BusFixture bus;
    protected static StreamsApp app;
    protected static Vertx vertx;
    protected static ConsulClientOptions options;
    protected static ConsulClient consul;

    @BeforeAll
    static void startBusAndClient(EmbeddedKafka kafka) throws InterruptedException {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
        vertx = Vertx.vertx();
        URI url = URI.create(app.url());
        options = new ConsulClientOptions().setHost(url.getHost()).setPort(url.getPort());
        consul = ConsulClient.create(vertx, options);
    }

    @AfterAll
    static void stopBusAndClient() throws Exception {
        consul.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        bus.close();
    }

    /** The client's answer, or the test fails with why there is none within 30 s. */
    protected static <T> T await(Future<T> f) {
        try {
            return f.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
