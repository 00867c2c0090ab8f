package io.hypermesh.streams.api.checks;

import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.CheckDefinition;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.registry.RegistryTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Runs the HTTP and TCP checks of the instances whose registry partition this bus instance owns:
 * exactly one instance runs each check, and a check moves with its partition. A result goes on the
 * registry topic and the health checks topic ({@link CheckReports})
 * when its status changes, or its output changes after {@link #OUTPUT_EVERY_MS}, as a Consul agent
 * syncs them.
 */
public final class CheckRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CheckRunner.class);
    static final long SCAN_EVERY_MS = 1_000;
    static final long OUTPUT_EVERY_MS = 5 * 60_000;
    private static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final StoreAccess stores;
    private final CheckReports reports;
    private final WebClient verifying;
    private final WebClient trusting;
    private final NetClient tcp;
    /** Per instance/check: when it is next due and what was last reported. */
    private final Map<String, Scheduled> scheduled = new HashMap<>();
    private long timer = -1;
    private boolean scanning;

    private static final class Scheduled {
        long dueAt;
        boolean running;
        String reportedStatus;
        String reportedOutput;
        long reportedAt;
    }

    public CheckRunner(Vertx vertx, StoreAccess stores, BusPublisher writer, String node) {
        this.vertx = vertx;
        this.stores = stores;
        this.reports = new CheckReports(writer, node);
        this.verifying = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(true));
        this.trusting = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(true).setTrustAll(true).setVerifyHost(false));
        this.tcp = vertx.createNetClient(new NetClientOptions());
    }

    public void start() {
        timer = vertx.setPeriodic(SCAN_EVERY_MS, id -> scan());
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    private void scan() {
        if (scanning || stores.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            return;
        }
        scanning = true;
        // The ids of the instances held here that have checks to run, then those instances.
        vertx.executeBlocking(() -> stores.<ServiceInstance>localGetAll(RegistryTopology.STORE,
                stores.<String>localScan(RegistryTopology.RUNNABLE_CHECKS_STORE, null).keySet()), false).onComplete(ar -> {
            scanning = false;
            if (ar.failed()) {
                return; // rebalancing: the next scan sees what this instance owns then
            }
            long now = System.currentTimeMillis();
            Set<String> present = new HashSet<>();
            for (ServiceInstance instance : ar.result().values()) {
                for (CheckState check : instance.getChecks()) {
                    CheckDefinition d = check.getDefinition();
                    if (!RegistryTopology.runnable(d.getType())) {
                        continue;
                    }
                    String key = instance.getInstanceId() + "/" + d.getCheckId();
                    present.add(key);
                    Scheduled s = scheduled.computeIfAbsent(key, k -> {
                        Scheduled fresh = new Scheduled();
                        fresh.reportedStatus = check.getStatus();
                        fresh.reportedOutput = check.getOutput();
                        fresh.dueAt = now;
                        return fresh;
                    });
                    if (!s.running && now >= s.dueAt) {
                        s.running = true;
                        s.dueAt = now + d.getIntervalMs();
                        run(d).onComplete(result -> {
                            s.running = false;
                            report(instance, d, s, result.succeeded() ? result.result()
                                    : new Result("critical", String.valueOf(result.cause().getMessage())));
                        });
                    }
                }
            }
            scheduled.keySet().retainAll(present); // deregistered, or its partition moved away
        });
    }

    record Result(String status, String output) {
    }

    private Future<Result> run(CheckDefinition d) {
        long timeout = d.getTimeoutMs() > 0 ? d.getTimeoutMs() : DEFAULT_TIMEOUT_MS;
        if (d.getType().equals("tcp")) {
            String address = d.getTcp();
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(address.substring(colon + 1));
            return tcp.connect(port, host).timeout(timeout, java.util.concurrent.TimeUnit.MILLISECONDS).map(socket -> {
                socket.close();
                return new Result("passing", "TCP connect " + address + ": Success");
            }).otherwise(e -> new Result("critical", "dial tcp " + address + ": " + e.getMessage()));
        }
        String method = d.getMethod() == null || d.getMethod().isEmpty() ? "GET" : d.getMethod();
        HttpRequest<io.vertx.core.buffer.Buffer> request = (d.getTlsSkipVerify() ? trusting : verifying)
                .requestAbs(HttpMethod.valueOf(method), d.getHttp()).timeout(timeout);
        request.putHeader("User-Agent", "Consul Health Check");
        d.getHeader().forEach((name, values) -> values.forEach(v -> request.headers().add(name, v)));
        String what = "HTTP " + method + " " + d.getHttp();
        return request.send().map(response -> {
            int code = response.statusCode();
            String status = code >= 200 && code < 300 ? "passing" : code == 429 ? "warning" : "critical";
            String body = response.bodyAsString() == null ? "" : response.bodyAsString();
            return new Result(status, what + ": " + code + " " + response.statusMessage() + " Output: " + body);
        }).otherwise(e -> new Result("critical", what + ": " + e.getMessage()));
    }

    private void report(ServiceInstance instance, CheckDefinition d, Scheduled s, Result result) {
        long now = System.currentTimeMillis();
        boolean statusChanged = !result.status().equals(s.reportedStatus);
        boolean outputDue = !result.output().equals(s.reportedOutput) && now - s.reportedAt >= OUTPUT_EVERY_MS;
        if (!statusChanged && !outputDue) {
            return;
        }
        s.reportedStatus = result.status();
        s.reportedOutput = result.output();
        s.reportedAt = now;
        reports.report(instance, d.getCheckId(), result.status(), result.output(), 0.0, null).onFailure(e -> {
            LOG.warn("check {} of {}: result not published ({}); trying again on its next run", d.getCheckId(), instance.getInstanceId(),
                    e.getMessage());
            s.reportedStatus = null;
        });
    }
}
