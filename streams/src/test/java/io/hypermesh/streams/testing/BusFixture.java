package io.hypermesh.streams.testing;

import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.schemas.topics.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A schema registry on the embedded broker and any number of streams instances, closed together. */
public final class BusFixture implements AutoCloseable {
    public final EmbeddedKafka kafka;
    public final SchemaRegistryService registry;
    private final List<StreamsApp> apps = new ArrayList<>();
    /** A broker this fixture started for itself, closed with it; null when shared. */
    private EmbeddedKafka ownBroker;

    /** The broker and registry a test talks to, however they were started. */
    public record External(EmbeddedKafka kafka, SchemaRegistryService registry) {
    }

    public External external() {
        return new External(kafka, registry);
    }

    public BusFixture(EmbeddedKafka kafka) {
        this.kafka = kafka;
        // As `hypermesh up` does before the folds start: they only check that the topics are there.
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicAdmin.ensure(admin, Topics.ALL);
        }
        this.registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
    }

    /**
     * A fixture on a broker of its own (in a new folder of target named by {@code prefix}), closed
     * with it: for a test whose load must not reach the tests after it.
     */
    public static BusFixture withOwnBroker(String prefix) throws java.io.IOException {
        EmbeddedKafka broker = EmbeddedKafka.start(Files.createTempDirectory(Path.of("target"), prefix), 0);
        BusFixture fixture = new BusFixture(broker);
        fixture.ownBroker = broker;
        return fixture;
    }

    public StreamsSettings settings(String applicationId) {
        try {
            Path dir = Files.createTempDirectory(Path.of("target"), "streams-state-");
            return StreamsSettings.defaults(kafka.access(), registry.url(), dir, 0).withApplicationId(applicationId);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String uniqueAppId() {
        return "bus-it-" + UUID.randomUUID();
    }

    public StreamsApp start(StreamsSettings settings) throws InterruptedException {
        StreamsApp app = StreamsApp.start(settings, new HttpRegistryClient(registry.url()));
        apps.add(app);
        app.awaitRunning(Duration.ofSeconds(90));
        return app;
    }

    public void stop(StreamsApp app) {
        apps.remove(app);
        app.close();
    }

    @Override
    public void close() {
        apps.forEach(StreamsApp::close);
        registry.close();
        if (ownBroker != null) {
            ownBroker.close();
        }
    }
}
