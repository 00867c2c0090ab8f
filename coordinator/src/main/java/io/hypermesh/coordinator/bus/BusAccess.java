package io.hypermesh.coordinator.bus;

import io.hypermesh.platform.kafka.SaslUsers;
import io.hypermesh.schemas.kafka.KafkaAccess;
import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** How each part of the bus reaches Kafka, and what a secured bus waits for before its parts start. */
final class BusAccess {
    private BusAccess() {
    }

    /**
     * Waits until the broker's authorizer holds the ACLs just created: they reach it through the
     * metadata log, and a part starting before that is refused its own topics (seen with SASL,
     * whose faster handshake let the registry ask first).
     */
    static void awaitAcls(Admin admin, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not apply the bus's " + count + " ACLs within 30 s");
            }
            Thread.sleep(50);
        }
    }

    /** Each part's access: its own certificate or SASL user on a secured bus, plain access otherwise. */
    static Function<String, KafkaAccess> identities(String bootstrap, Path pkiDir, SaslUsers users) {
        KafkaAccess plain = KafkaAccess.to(bootstrap);
        return pkiDir != null ? principal -> plain.as(pkiDir, principal)
                : users != null ? principal -> plain.with(users.clientConfig(principal))
                : principal -> plain;
    }

    static List<String> hostsFor(String host) {
        List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        if (!hosts.contains(host) && !host.equals("0.0.0.0")) {
            hosts.add(host);
        }
        return hosts;
    }
}
