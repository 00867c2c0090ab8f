package io.hypermesh.platform.registry.service;

import io.hypermesh.http.HttpTls;
import io.hypermesh.platform.registry.KafkaSchemaStore;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running schema registry: the Kafka-backed store plus the HTTP API on its own Vert.x
 * instance. Several services on one Kafka cluster agree on ids and versions.
 */
public final class SchemaRegistryService implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SchemaRegistryService.class);
    private final Vertx vertx;
    private final KafkaSchemaStore store;
    private final SchemaRegistryVerticle verticle;
    private final String host;
    private final String scheme;

    private SchemaRegistryService(Vertx vertx, KafkaSchemaStore store, SchemaRegistryVerticle verticle, String host, String scheme) {
        this.scheme = scheme;
        this.vertx = vertx;
        this.store = store;
        this.verticle = verticle;
        this.host = host;
    }

    /**
     * Starts on {@code host:port} (port 0 picks a free one) over the default {@code _schemas} topic.
     * When the Kafka settings carry a certificate (a secured bus), the API is served over HTTPS
     * with it, and only clients with a certificate of the bus CA may write.
     */
    public static SchemaRegistryService start(Map<String, Object> kafkaClientConfig, String host, int port) {
        return start(kafkaClientConfig, Topics.SCHEMAS, host, port);
    }

    public static SchemaRegistryService start(Map<String, Object> kafkaClientConfig, TopicSpec<?> topic, String host, int port) {
        KafkaSchemaStore store = new KafkaSchemaStore(kafkaClientConfig, topic, Duration.ofSeconds(30));
        Vertx vertx = Vertx.vertx();
        SchemaRegistryVerticle verticle = new SchemaRegistryVerticle(store, host, port, HttpTls.fromClientSettings(kafkaClientConfig));
        try {
            vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            store.close();
            throw new IllegalStateException("schema registry could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new SchemaRegistryService(vertx, store, verticle, host, HttpTls.fromClientSettings(kafkaClientConfig).scheme());
    }

    public String url() {
        return scheme + "://" + host + ":" + verticle.port();
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The store is closed all the same: its consumer and producer must not outlive the server.
            LOG.warn("the registry's HTTP server did not stop cleanly: {}", e.toString());
        }
        store.close();
    }
}
