package io.hypermesh.schemas.topics;

import io.hypermesh.events.ComponentKind;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each part of the bus may do on a secured cluster, by principal (its certificate's CN, see
 * {@code hypermesh pki init}). Each principal gets its own topics, consumer groups and
 * transactional ids and nothing of another's: an adapter writes its own topic and never another
 * adapter's; only the folds write folded state; only the registry touches the schema log; only the
 * coordinator commands components. The broker's principal is the one super user.
 */
public final class BusAcls {
    public static final String BROKER = "broker";
    public static final String SCHEMA_REGISTRY = "schema-registry";
    public static final String FOLDS = "folds";
    public static final String COORDINATOR = "coordinator";

    /** Each adapter principal and the one topic it owns. */
    public static final Map<String, TopicSpec<?>> ADAPTER_TOPICS = Map.of(
            "adapter-consensus", Topics.CONSENSUS,
            "adapter-containers", Topics.CONTAINERS,
            "adapter-security", Topics.SECURITY,
            "adapter-transport", Topics.TRANSPORT);

    /** Every principal of the bus, in the order `hypermesh pki init` issues them. */
    public static final List<String> PRINCIPALS = List.of(BROKER, SCHEMA_REGISTRY, FOLDS, COORDINATOR,
            "adapter-consensus", "adapter-containers", "adapter-security", "adapter-transport");

    /** What every managed component reports to: registrations, health checks, lifecycle, samples of its series, its audit trail. */
    private static final List<TopicSpec<?>> COMPONENT_OUTPUTS = List.of(Topics.REGISTRY, Topics.HEALTH_CHECKS, Topics.LIFECYCLE,
            Topics.METRICS, Topics.AUDIT);

    private BusAcls() {
    }

    /** The bindings of every principal of the bus, for a folds application called {@code foldsApplicationId}. */
    public static List<AclBinding> all(String foldsApplicationId) {
        List<AclBinding> all = new ArrayList<>();
        all.addAll(schemaRegistry());
        all.addAll(folds(foldsApplicationId));
        all.addAll(coordinator());
        ADAPTER_TOPICS.keySet().stream().sorted().forEach(p -> all.addAll(adapter(p)));
        return distinct(all);
    }

    /** One adapter: what a managed component does, plus writing its own topic, with its own transactional ids. */
    public static List<AclBinding> adapter(String principal) {
        TopicSpec<?> own = ADAPTER_TOPICS.get(principal);
        if (own == null) {
            throw new IllegalArgumentException("no adapter principal '" + principal + "'; known: " + ADAPTER_TOPICS.keySet());
        }
        List<AclBinding> bindings = managedComponent(principal);
        topic(bindings, principal, own, AclOperation.WRITE, AclOperation.DESCRIBE);
        if (own == Topics.SECURITY) {
            // The decisions on workload baselines, read (without a group) into the security adapter's audit trail.
            topic(bindings, principal, Topics.ANOMALIES, AclOperation.READ, AclOperation.DESCRIBE);
            // And every change of Connect policy (intentions, the CA's configuration).
            topic(bindings, principal, Topics.INTENTIONS, AclOperation.READ, AclOperation.DESCRIBE);
            // And every KV write and session change.
            topic(bindings, principal, Topics.KV, AclOperation.READ, AclOperation.DESCRIBE);
        }
        transactionalIds(bindings, principal, transactionalIdPrefix(principal));
        return distinct(bindings);
    }

    /**
     * The transactional id of an audited publisher: under its principal's prefix, so an adapter can
     * fence and continue only its own kind's trails.
     */
    public static String transactionalId(ComponentKind kind, String adapterId) {
        return transactionalIdPrefix(principalOf(kind)) + adapterId;
    }

    /** The principal a component of this kind runs as on a secured bus. */
    public static String principalOf(ComponentKind kind) {
        return switch (kind) {
            case TRANSPORT -> "adapter-transport";
            case CONSENSUS -> "adapter-consensus";
            case CONTAINER_RUNTIME -> "adapter-containers";
            case SECURITY_AGENT -> "adapter-security";
            case COORDINATOR -> COORDINATOR;
            case SCHEMA_REGISTRY -> SCHEMA_REGISTRY;
            case STREAMS -> FOLDS;
            default -> "adapter";
        };
    }

    private static String transactionalIdPrefix(String principal) {
        // The dot ends the prefix: "hypermesh-adapter." must not cover "hypermesh-adapter-security.".
        return "hypermesh-" + principal + ".";
    }

    /**
     * The folds: read the events they fold (the anomaly fold reads the adapters' topics, the health transitions and the
     * dead letters for the bus's own series, and the decisions on workload baselines), write folded state and dead
     * letters, take registrations and check verdicts from the agent API, read the audit trail for the dashboard, and own every
     * topic, group and transactional id under their application id (Kafka Streams' internal ones).
     */
    public static List<AclBinding> folds(String applicationId) {
        List<AclBinding> bindings = new ArrayList<>();
        seeCatalog(bindings, FOLDS);
        for (TopicSpec<?> in : List.of(Topics.REGISTRY, Topics.HEALTH_CHECKS, Topics.LIFECYCLE, Topics.LIFECYCLE_COMMANDS, Topics.AUDIT,
                Topics.METRICS, Topics.TRANSPORT, Topics.CONSENSUS, Topics.CONTAINERS, Topics.HEALTH_TRANSITIONS,
                Topics.DEAD_LETTERS, Topics.SECURITY, Topics.ANOMALIES, Topics.INTENTIONS, Topics.KV)) {
            topic(bindings, FOLDS, in, AclOperation.READ);
        }
        for (TopicSpec<?> out : List.of(Topics.REGISTRY, Topics.HEALTH_CHECKS, Topics.HEALTH_SCORES, Topics.HEALTH_TRANSITIONS,
                Topics.REGISTRY_STATE, Topics.METRIC_SCORES, Topics.ANOMALIES, Topics.INTENTIONS, Topics.DECISIONS, Topics.KV,
                Topics.DEAD_LETTERS)) {
            topic(bindings, FOLDS, out, AclOperation.WRITE);
        }
        bindings.add(allow(FOLDS, prefixed(ResourceType.TOPIC, applicationId), AclOperation.ALL));
        bindings.add(allow(FOLDS, prefixed(ResourceType.GROUP, applicationId), AclOperation.ALL));
        bindings.add(allow(FOLDS, prefixed(ResourceType.TRANSACTIONAL_ID, applicationId), AclOperation.ALL));
        return distinct(bindings);
    }

    /** The schema registry: its log only, written through its own transactional id. */
    public static List<AclBinding> schemaRegistry() {
        List<AclBinding> bindings = new ArrayList<>();
        topic(bindings, SCHEMA_REGISTRY, Topics.SCHEMAS, AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        transactionalIds(bindings, SCHEMA_REGISTRY, "hypermesh-schema-registry-");
        return bindings;
    }

    /**
     * The coordinator: its leadership group and epoch topic, the commands it sends, its audit trail;
     * and, as {@code hypermesh up} runs the bus's own parts as managed components under the
     * coordinator's identity, what a managed component does.
     */
    public static List<AclBinding> coordinator() {
        List<AclBinding> bindings = managedComponent(COORDINATOR);
        seeCatalog(bindings, COORDINATOR);
        topic(bindings, COORDINATOR, Topics.COORDINATOR, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        topic(bindings, COORDINATOR, Topics.LIFECYCLE_COMMANDS, AclOperation.WRITE);
        bindings.add(allow(COORDINATOR, prefixed(ResourceType.GROUP, "hypermesh-coordinator-"), AclOperation.READ));
        transactionalIds(bindings, COORDINATOR, "hypermesh-coordinator-");
        return distinct(bindings);
    }

    /** A managed component: reports to the shared inputs, continues its trail, and hears its commands. */
    private static List<AclBinding> managedComponent(String principal) {
        List<AclBinding> bindings = new ArrayList<>();
        for (TopicSpec<?> out : COMPONENT_OUTPUTS) {
            topic(bindings, principal, out, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        topic(bindings, principal, Topics.AUDIT, AclOperation.READ);
        topic(bindings, principal, Topics.LIFECYCLE_COMMANDS, AclOperation.READ, AclOperation.DESCRIBE);
        return bindings;
    }

    /** Topic metadata and settings of the whole catalog, so a component can check it is all there before it starts. */
    private static void seeCatalog(List<AclBinding> bindings, String principal) {
        for (TopicSpec<?> t : Topics.ALL) {
            topic(bindings, principal, t, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        }
    }

    private static void topic(List<AclBinding> bindings, String principal, TopicSpec<?> topic, AclOperation... operations) {
        for (AclOperation op : operations) {
            bindings.add(allow(principal, new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL), op));
        }
    }

    private static void transactionalIds(List<AclBinding> bindings, String principal, String prefix) {
        bindings.add(allow(principal, prefixed(ResourceType.TRANSACTIONAL_ID, prefix), AclOperation.WRITE));
        bindings.add(allow(principal, prefixed(ResourceType.TRANSACTIONAL_ID, prefix), AclOperation.DESCRIBE));
    }

    /** Roles overlap (seeing the catalog, reporting as a component): each binding once. */
    private static List<AclBinding> distinct(List<AclBinding> bindings) {
        return List.copyOf(new java.util.LinkedHashSet<>(bindings));
    }

    private static ResourcePattern prefixed(ResourceType type, String prefix) {
        return new ResourcePattern(type, prefix, PatternType.PREFIXED);
    }

    private static AclBinding allow(String principal, ResourcePattern resource, AclOperation operation) {
        return new AclBinding(resource, new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
    }
}
