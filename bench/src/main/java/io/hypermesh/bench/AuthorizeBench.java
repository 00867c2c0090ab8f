package io.hypermesh.bench;

import io.hypermesh.streams.app.StreamsApp;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * 4. Connect authorize ({@code POST /v1/agent/connect/authorize}) beside a discovery read, each from
 * 1 and 64 clients in a load process of its own (so the measured JVM runs only the bus, and the
 * load's garbage is not collected in it), each warmed 60 s first. The goal is p99 under 1 ms from
 * one client: OPA's budget for microservice authorization. The bus's threads and JFR frames during
 * the one-client run are noted, whether the goal is met or not.
 */
final class AuthorizeBench {
    /**
     * Seconds of warm-up per second of the scale's: 60 s at standard scale, long enough for the bus's JIT to go quiet on
     * a new path (at 20 s a compiler thread still took 0.2 to 0.4 of a core); 6 s at tiny scale.
     */
    private static final int WARM_PER_SCALE_SECOND = 6;

    private AuthorizeBench() {
    }

    static void run(BenchRunner runner, StreamsApp app) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // Twenty intentions for the target and around it, so the answer is looked up, not the default.
        for (int i = 0; i < 20; i++) {
            http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/connect/intentions/exact?source=bench-client-" + i
                    + "&destination=bench-svc")).PUT(HttpRequest.BodyPublishers.ofString("{\"Action\":\"" + (i % 2 == 0 ? "allow" : "deny")
                    + "\"}")).build(), HttpResponse.BodyHandlers.discarding());
        }
        String trustDomain = new JsonObject(http.send(HttpLoad.get(app.url() + "/v1/connect/ca/roots"),
                HttpResponse.BodyHandlers.ofString()).body()).getString("TrustDomain");
        String authorize = new JsonObject().put("Target", "bench-svc").put("ClientCertURI", "spiffe://" + trustDomain
                + "/ns/default/dc/dc1/svc/bench-client-4").put("ClientCertSerial", "01").encode();
        String seconds = Long.toString(runner.scale().queryRun().toSeconds());
        String warm = Long.toString(runner.scale().warmUp().toSeconds() * WARM_PER_SCALE_SECOND);
        for (int clients : new int[]{1, 64}) {
            HttpLoadProcess.Measured read = HttpLoadProcess.Measured.of(LoadGenerator.run(HttpLoadProcess.class, runner.work(), () -> { },
                    Integer.toString(clients), warm, seconds, app.url() + "/v1/health/service/bench-svc"));
            ThreadCpu[] cpuBefore = new ThreadCpu[1];
            JfrTop samples = new JfrTop();
            HttpLoadProcess.Measured r = HttpLoadProcess.Measured.of(LoadGenerator.run(HttpLoadProcess.class, runner.work(),
                    () -> cpuBefore[0] = ThreadCpu.now(), Integer.toString(clients), warm, seconds,
                    app.url() + "/v1/agent/connect/authorize", authorize));
            String threads = ThreadCpu.now().since(cpuBefore[0], 8);
            String frames = samples.top(6, "vert.x-eventloop");
            String name = "4. authorize, " + clients + " client(s), load in its own process";
            String baseline = "discovery read, the same way";
            runner.report().add(name, "answers/s", r.perSecond(), baseline, read.perSecond(), r.perSecond() / read.perSecond(), "-", true);
            runner.report().add(name, "p50 ms", r.p50(), baseline, read.p50(), r.p50() / read.p50(), "-", true);
            runner.report().add(name, "p99 ms", r.p99(), baseline, read.p99(), r.p99() / read.p99(),
                    clients == 1 ? "p99 <= 1 ms" : "-", clients != 1 || r.p99() <= 1.0);
            if (clients == 1) {
                runner.report().note(String.format(Locale.ROOT, "authorize at 1 client: p99.9 %.2f ms (discovery read %.2f); the load "
                        + "process used %.2f cores; the bus's JVM by thread: %s; JFR over the warm-up and the run: %s", r.p999(),
                        read.p999(), r.cpuSeconds() / Double.parseDouble(seconds), threads, frames));
            }
            if (r.errors() > 0 || read.errors() > 0) {
                runner.report().note("authorize at " + clients + " clients: " + r.errors() + " errors; discovery read: " + read.errors());
            }
        }
    }
}
