package io.hypermesh.schemas.topics;

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
 * What each adapter's principal (its certificate's CN, see {@code hypermesh pki init}) may do on a
 * secured bus: write its own topic and no other adapter's, and write the shared inputs every
 * managed component reports to (registry, health checks, lifecycle) and its audit trail.
 */
public final class BusAcls {
    /** Each adapter principal and the one topic it owns. */
    public static final Map<String, TopicSpec> ADAPTER_TOPICS = Map.of(
            "adapter-consensus", Topics.CONSENSUS,
            "adapter-containers", Topics.CONTAINERS,
            "adapter-security", Topics.SECURITY,
            "adapter-transport", Topics.TRANSPORT);
    private static final List<TopicSpec> SHARED_INPUTS = List.of(Topics.REGISTRY, Topics.HEALTH_CHECKS, Topics.LIFECYCLE, Topics.AUDIT);

    private BusAcls() {
    }

    /** The bindings for one adapter principal. */
    public static List<AclBinding> adapter(String principal) {
        TopicSpec own = ADAPTER_TOPICS.get(principal);
        if (own == null) {
            throw new IllegalArgumentException("no adapter principal '" + principal + "'; known: " + ADAPTER_TOPICS.keySet());
        }
        List<AclBinding> bindings = new ArrayList<>();
        List<TopicSpec> writable = new ArrayList<>(SHARED_INPUTS);
        writable.add(own);
        for (TopicSpec topic : writable) {
            bindings.add(allow(principal, new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL), AclOperation.WRITE));
            bindings.add(allow(principal, new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL), AclOperation.DESCRIBE));
        }
        // It continues its audit trail after a restart by reading it back, and writes transactionally.
        bindings.add(allow(principal, new ResourcePattern(ResourceType.TOPIC, Topics.AUDIT.name(), PatternType.LITERAL), AclOperation.READ));
        ResourcePattern transactions = new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "hypermesh-adapter-", PatternType.PREFIXED);
        bindings.add(allow(principal, transactions, AclOperation.WRITE));
        bindings.add(allow(principal, transactions, AclOperation.DESCRIBE));
        return bindings;
    }

    private static AclBinding allow(String principal, ResourcePattern resource, AclOperation operation) {
        return new AclBinding(resource, new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
    }
}
