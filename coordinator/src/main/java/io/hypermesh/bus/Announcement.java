package io.hypermesh.bus;

import io.hypermesh.coordinator.bus.BundledPlatform;
import io.hypermesh.coordinator.bus.Bus;
import io.hypermesh.coordinator.spec.PlatformSpec;

import java.io.PrintWriter;

/** The lines a starting bus prints for its operator: where its endpoints are, and what the adapters found. */
final class Announcement {
    private Announcement() {
    }

    static void endpoints(PrintWriter out, Bus bus) {
        out.println("Kafka bootstrap servers: " + bus.endpoints().bootstrapServers() + (bus.embedded() ? " (embedded)" : "")
                + bus.clientSettingsHint());
        out.println("Schema registry:         " + bus.endpoints().registryUrl());
        out.println("Query API:               " + bus.apiUrl() + "  (metrics at /metrics)");
        out.println("Dashboard:               " + bus.apiUrl() + "/ui/");
    }

    static void adapters(PrintWriter out, PlatformSpec spec, BundledPlatform.Machine machine) {
        out.println("the bus core is up; starting the adapters of " + spec.source().replaceFirst("^classpath:", "")
                + " through the coordinator");
        if (spec.components().containsKey("consensus") && machine.etcd().isEmpty()) {
            out.println("  consensus: no etcd configured (--etcd) or answering at http://127.0.0.1:2379; not in the platform");
        }
        if (spec.components().containsKey("containers") && machine.engineSocket().isEmpty()) {
            out.println("  containers: no Docker or Podman socket (--container-socket); not in the platform");
        }
        out.flush();
    }
}
