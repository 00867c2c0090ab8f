package io.hypermesh.streams.testing;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.streams.app.StreamsApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ConsulClientOptions;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/** A running bus with {@code vertx-consul-client} pointed at it, as an application would point it at a Consul agent. */
public final class ConsulClientBus implements AutoCloseable {
    public final BusFixture bus;
    public final StreamsApp app;
    public final Vertx vertx;
    public final ConsulClientOptions options;
    public final ConsulClient consul;

    public ConsulClientBus(EmbeddedKafka kafka) throws InterruptedException {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
        vertx = Vertx.vertx();
        URI url = URI.create(app.url());
        options = new ConsulClientOptions().setHost(url.getHost()).setPort(url.getPort());
        consul = ConsulClient.create(vertx, options);
    }

    /** The client's answer, or the test fails with why there is none within 30 s. */
    public static <T> T await(Future<T> f) {
        try {
            return f.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws Exception {
        consul.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        bus.close();
    }
}
