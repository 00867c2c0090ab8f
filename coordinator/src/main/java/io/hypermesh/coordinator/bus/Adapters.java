package io.hypermesh.coordinator.bus;

import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.consensus.EtcdAdapter;
import io.hypermesh.adapters.container.ContainerAdapter;
import io.hypermesh.adapters.security.SecurityAdapter;
import io.hypermesh.adapters.transport.TransportAdapter;
import io.hypermesh.http.GoDuration;
import io.hypermesh.http.auth.ApiTokens;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The one place adapters are built, for `up`'s bundled platform and for `hypermesh adapter …`
 * alike, and where each of their defaults is written. The defaults are strings (Go durations) so
 * the command line's options can name them.
 */
public final class Adapters {
    /**
     * How often an adapter heartbeats and checks itself. Each beat is two records, and each of those a
     * transaction of the folds (changelogs, the by-phase repartition, a health score): on an idle bus
     * they were most of what was written, at 5 s. Nothing expires on a missed beat; it is what the
     * lifecycle view shows as LastHeartbeatAt, and `--heartbeat` sets it.
     */
    public static final String HEARTBEAT = "10s";
    /** An audit checkpoint every this many records... */
    public static final String CHECKPOINT_EVERY = "100";
    /** ...and at least this often while records arrive. */
    public static final String CHECKPOINT_INTERVAL = "5s";
    public static final String ETCD_CLUSTER = "etcd";
    public static final String ETCD_POLL = "500ms";
    public static final String ENGINE_SOCKET = "/var/run/docker.sock";
    public static final String ENGINE_API_VERSION = "v1.41";
    public static final String CONTAINER_TTL = "30s";
    public static final String TRANSPORT_PORT = "8600";
    public static final String PROBE_INTERVAL = "5s";
    public static final String LINK_TIMEOUT = "15s";
    private static final Duration PROBE_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ENGINE_RECONNECT = Duration.ofSeconds(1);
    private static final Duration TETRAGON_TAIL = Duration.ofMillis(250);

    private Adapters() {
    }

    public static Duration duration(String goDuration) {
        return GoDuration.parse(goDuration);
    }

    public static Function<AuditedPublisher, Adapter> consensus(String clusterId, List<String> etcd, Duration poll) {
        return bus -> new EtcdAdapter(bus, clusterId, etcd, poll);
    }

    public static Function<AuditedPublisher, Adapter> containers(Path socket, String apiVersion, Duration ttl) {
        return bus -> new ContainerAdapter(bus, new ContainerAdapter.Settings(socket.toString(), apiVersion, ttl, ENGINE_RECONNECT));
    }

    /** @param falcoHost null for no Falco input */
    public static Function<AuditedPublisher, Adapter> security(String falcoHost, int falcoPort, List<Path> tetragonFiles, boolean fromStart,
                                                               ApiTokens tokens) {
        return bus -> new SecurityAdapter(bus, new SecurityAdapter.Settings(falcoHost, falcoPort, tetragonFiles, fromStart,
                TETRAGON_TAIL, tokens));
    }

    public static Function<AuditedPublisher, Adapter> transport(String host, int port, List<TransportAdapter.Probe> probes,
            Duration probeInterval,
                                                                Duration linkTimeout, ApiTokens tokens) {
        return bus -> new TransportAdapter(bus, new TransportAdapter.Settings(host, port, probes, probeInterval, PROBE_CONNECT_TIMEOUT,
                linkTimeout, tokens));
    }
}
