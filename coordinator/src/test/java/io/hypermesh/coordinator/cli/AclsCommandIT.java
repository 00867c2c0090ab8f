package io.hypermesh.coordinator.cli;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.pki.Pki;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `hypermesh acls` and `hypermesh topics`: the bus's ACLs printed for Kafka's own tool, or created
 * on a secured cluster, and its catalog topics created there, by a principal allowed to.
 */
class AclsCommandIT {
    @Test
    void printsEveryBindingAsAKafkaAclsCommand() {
        InProcessCli printed = InProcessCli.run("acls", "--application-id=my-folds");
        assertEquals(0, printed.exit(), printed.err());
        List<String> lines = printed.out().lines().toList();
        assertEquals(BusAcls.all("my-folds").size(), lines.size());
        assertTrue(lines.contains("kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add "
                + "--allow-principal User:folds --operation All --topic my-folds --resource-pattern-type prefixed"), printed.out());
        assertTrue(lines.contains("kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add "
                + "--allow-principal User:adapter-security --operation Write --transactional-id hypermesh-adapter-security. "
                + "--resource-pattern-type prefixed"), printed.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("User:schema-registry --operation DescribeConfigs --topic _schemas")),
                printed.out());
    }

    @Test
    void appliesThemAndCreatesTheTopicsAsASuperUserOnlyAndAgainWithoutChange(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        Pki.init(pki, BusAcls.PRINCIPALS, List.of("localhost", "127.0.0.1"), Duration.ofDays(1), false);
        try (EmbeddedKafka kafka = EmbeddedKafka.startSecured(dir.resolve("kafka"), 0, pki)) {
            String bootstrap = "--bootstrap-servers=" + kafka.bootstrapServers();
            InProcessCli refused = InProcessCli.run("acls", "--apply", bootstrap, "--kafka-config=" + Pki.clientPropertiesOf(pki,
                    "adapter-security"));
            assertEquals(1, refused.exit(), refused.out());
            assertTrue(refused.err().contains("the ACLs were not created on " + kafka.bootstrapServers()), refused.err());

            InProcessCli noTopics = InProcessCli.run("topics", bootstrap, "--kafka-config=" + Pki.clientPropertiesOf(pki, "folds"));
            assertEquals(1, noTopics.exit(), noTopics.out());
            assertTrue(noTopics.err().contains("the catalog topics were not created"), noTopics.err());
            InProcessCli topics = InProcessCli.run("topics", bootstrap, "--kafka-config=" + Pki.clientPropertiesOf(pki, "broker"));
            assertEquals(0, topics.exit(), topics.err());
            assertTrue(topics.out().contains(": " + Topics.ALL.size() + " created"), topics.out());
            InProcessCli again = InProcessCli.run("topics", bootstrap, "--kafka-config=" + Pki.clientPropertiesOf(pki, "broker"));
            assertTrue(again.out().contains(": 0 created [], 0 reconfigured [], " + Topics.ALL.size() + " already present"), again.out());

            for (int run = 0; run < 2; run++) {
                InProcessCli applied = InProcessCli.run("acls", "--apply", bootstrap, "--kafka-config=" + Pki.clientPropertiesOf(pki,
                        "broker"));
                assertEquals(0, applied.exit(), applied.err());
                try (Admin admin = Admin.create(kafka.clientConfig())) {
                    Set<AclBinding> present = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS));
                    assertEquals(new HashSet<>(BusAcls.all(StreamsSettings.DEFAULT_APPLICATION_ID)), present, "run " + run);
                }
            }
        }
    }
}
