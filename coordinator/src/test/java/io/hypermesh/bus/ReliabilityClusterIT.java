package io.hypermesh.bus;

import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The reliability preset where it is meant to run: a real cluster of three brokers (in this JVM, as
 * Kafka's own tests start one). Every topic it creates, the catalog's and the folds' internal ones,
 * has three replicas and min.insync.replicas 2, and the bus serves.
 */
class ReliabilityClusterIT {

    @Test
    void onThreeBrokersEveryTopicHasThreeReplicasAndMinInsyncTwo(@TempDir Path dir) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder().setNumBrokerNodes(3).setNumControllerNodes(1)
                .setBaseDirectory(dir.resolve("kafka")).build();
        try (KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes).build()) {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            try (HyperMeshBus bus = HyperMeshBus.builder().preset("reliability").bootstrapServers(cluster.bootstrapServers())
                    .dataDir(dir.resolve("bus")).ports(0, 0, 0).platform(false).start();
                 Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()))) {
                PresetsIT.registerAndSee(bus);

                List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                        .filter(t -> t.startsWith("hypermesh.") || t.startsWith(StreamsSettings.DEFAULT_APPLICATION_ID + "-")).sorted()
                        .toList();
                assertFalse(topics.stream().noneMatch(t -> t.endsWith("-changelog")), "the folds' internal topics exist: " + topics);
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
                for (String topic : topics) {
                    described.get(topic).partitions()
                            .forEach(p -> assertEquals(3, p.replicas().size(), topic + " partition " + p.partition()));
                    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                    assertEquals("2", config.get("min.insync.replicas").value(), topic);
                }
            }
        }
    }
}
