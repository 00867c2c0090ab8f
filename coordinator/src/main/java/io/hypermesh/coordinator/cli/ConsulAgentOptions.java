package io.hypermesh.coordinator.cli;

import picocli.CommandLine.Option;

/** What the query API answers as, to Consul clients: its node and datacenter. */
final class ConsulAgentOptions {
    @Option(names = "--node-name", description = "Consul node name of this instance; registrations through it name this node "
            + "(default: the host name).")
    String nodeName;

    @Option(names = "--datacenter", defaultValue = "dc1",
            description = "Consul datacenter the API answers for (default: ${DEFAULT-VALUE}).")
    String datacenter;

    String node() {
        return nodeName != null ? nodeName : io.hypermesh.http.HostName.local();
    }
}
