package io.hypermesh.platform.topics;

import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaIT
class TopicAdminIT {

    @Test
    void createsOnceRepairsDriftAndReportsWhatItCannotFix(EmbeddedKafka kafka) throws Exception {
        String suffix = UUID.randomUUID().toString();
        TopicSpec<?> state = new TopicSpec<>("state-" + suffix, 2, (short) 3, "compact", -1, null);
        TopicSpec<?> events = new TopicSpec<>("events-" + suffix, 2, (short) 3, "delete", 86_400_000L, null);
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicAdmin.Report first = TopicAdmin.ensure(admin, List.of(state, events));
            assertEquals(List.of(state.name(), events.name()), first.created());
            assertTrue(first.warnings().get(0).contains("replication 1 instead of the declared factor")
                    && first.warnings().get(0).contains(state.name()), first.warnings().toString());

            TopicAdmin.Report second = TopicAdmin.ensure(admin, List.of(state, events));
            assertEquals(List.of(), second.created());
            assertEquals(List.of(), second.reconfigured());

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, state.name());
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "delete"), AlterConfigOp.OpType.SET)))).all().get();
            TopicAdmin.Report third = TopicAdmin.ensure(admin, List.of(state, events));
            assertEquals(List.of(state.name()), third.reconfigured());
            // The broker applies a config change from the metadata log: a describe right after may still see the old value.
            String policy = "";
            for (long deadline = System.nanoTime() + 10_000_000_000L; !policy.equals("compact") && System.nanoTime() < deadline; ) {
                policy = admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                if (!policy.equals("compact")) {
                    Thread.sleep(50);
                }
            }
            assertEquals("compact", policy);

            TopicSpec<?> wider = new TopicSpec<>(events.name(), 4, (short) 1, "delete", 86_400_000L, null);
            TopicAdmin.Report fourth = TopicAdmin.ensure(admin, List.of(wider));
            assertTrue(fourth.warnings().stream().anyMatch(w -> w.contains("has 2 partitions")), fourth.warnings().toString());
        }
    }
}
