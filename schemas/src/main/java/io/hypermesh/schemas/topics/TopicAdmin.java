package io.hypermesh.schemas.topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Creates catalog topics idempotently. Missing topics are created, drifted configs are put back,
 * and what cannot be fixed safely (fewer partitions than declared) is reported, never repaired.
 */
public final class TopicAdmin {
    /** How long a topic just created may take to be known to every broker. */
    static final java.time.Duration VISIBLE_WITHIN = java.time.Duration.ofSeconds(10);
    private static final long TIMEOUT_SECONDS = 60;

    private TopicAdmin() {
    }

    /** What {@link #ensure} did. */
    public record Report(List<String> created, List<String> reconfigured, List<String> warnings) {
        /** One line for the operator, out of {@code total} topics ensured. */
        public String summary(int total) {
            return created.size() + " created " + created + ", " + reconfigured.size() + " reconfigured " + reconfigured + ", "
                    + (total - created.size()) + " already present";
        }
    }

    /**
     * Checks that every topic exists, without creating or changing anything: for a part of the bus
     * that may see the catalog but not administer it. Topics created a moment ago may not be known
     * yet to the broker asked (each learns of them from the controller), so it asks again for up to
     * {@link #VISIBLE_WITHIN} before it gives up.
     *
     * @throws IllegalStateException naming the missing topics
     */
    public static void verify(Admin admin, Collection<TopicSpec<?>> specs) {
        long deadline = System.nanoTime() + VISIBLE_WITHIN.toNanos();
        try {
            while (true) {
                Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                List<String> missing = specs.stream().map(TopicSpec::name).filter(n -> !existing.contains(n)).toList();
                if (missing.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics missing (or not visible to this principal): " + missing
                            + "; create them with `hypermesh topics` (`hypermesh up` does)");
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause(), e);
        }
    }

    /** Creates missing topics and repairs the settings of existing ones to match the catalog. */
    public static Report ensure(Admin admin, Collection<TopicSpec<?>> specs) {
        try {
            int brokers = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> created = new ArrayList<>();
            List<String> reconfigured = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            List<NewTopic> toCreate = new ArrayList<>();
            Map<String, TopicSpec<?>> present = new HashMap<>();
            List<String> underReplicated = new ArrayList<>();
            for (TopicSpec<?> spec : specs) {
                short replication = effectiveReplication(spec, brokers);
                if (replication < spec.replicationFactor()) {
                    underReplicated.add(spec.name());
                }
                if (existing.contains(spec.name())) {
                    present.put(spec.name(), spec);
                } else {
                    toCreate.add(new NewTopic(spec.name(), spec.partitions(), replication).configs(spec.configs(replication)));
                }
            }
            if (!underReplicated.isEmpty()) {
                warnings.add("replication " + Math.max(1, brokers) + " instead of the declared factor (only " + brokers
                        + " broker(s)) for " + underReplicated);
            }
            for (NewTopic topic : toCreate) {
                try {
                    admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Another instance created it between our listing and now: that is fine.
                }
            }
            if (!present.isEmpty()) {
                repairExisting(admin, present, brokers, reconfigured, warnings);
            }
            return new Report(created, reconfigured, warnings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot create catalog topics: " + cause, cause);
        }
    }

    private static void repairExisting(Admin admin, Map<String, TopicSpec<?>> present, int brokers,
                                       List<String> reconfigured, List<String> warnings) throws Exception {
        Map<String, TopicDescription> descriptions = admin.describeTopics(present.keySet()).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<ConfigResource> resources = present.keySet().stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).collect(Collectors.toList());
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (TopicSpec<?> spec : present.values()) {
            int partitions = descriptions.get(spec.name()).partitions().size();
            if (partitions < spec.partitions()) {
                warnings.add(spec.name() + ": has " + partitions + " partitions, catalog declares " + spec.partitions()
                        + "; not increased automatically because that remaps keys");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
            Config actual = configs.get(resource);
            List<AlterConfigOp> ops = new ArrayList<>();
            spec.configs(effectiveReplication(spec, brokers)).forEach((name, wanted) -> {
                ConfigEntry entry = actual.get(name);
                if (entry == null || !wanted.equals(entry.value())) {
                    ops.add(new AlterConfigOp(new ConfigEntry(name, wanted), AlterConfigOp.OpType.SET));
                }
            });
            if (!ops.isEmpty()) {
                changes.put(resource, ops);
                reconfigured.add(spec.name());
            }
        }
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static short effectiveReplication(TopicSpec<?> spec, int brokers) {
        return (short) Math.max(1, Math.min(spec.replicationFactor(), brokers));
    }
}
