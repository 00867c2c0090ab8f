package io.hypermesh.bench;

import io.hypermesh.adapters.testing.LocalEtcd;
import io.hypermesh.streams.app.StreamsApp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * 7. A Consul KV put ({@code PUT /v1/kv/<key>}, answered once the KV fold, the single writer, has
 * decided and applied it) against an etcd put on the same machine (answered once Raft committed
 * it): the same value, one client, each load in a process of its own, warmed first. The bus's
 * threads and the event loop's JFR frames during the run are noted.
 */
final class KvBench {
    private static final int WARM_PER_SCALE_SECOND = 6;

    private KvBench() {
    }

    static void run(BenchRunner runner, StreamsApp app, LocalEtcd etcd) throws Exception {
        String value = "{\"feature\":\"on\",\"limit\":100}";
        String seconds = Long.toString(runner.scale().queryRun().toSeconds());
        String warm = Long.toString(runner.scale().warmUp().toSeconds() * WARM_PER_SCALE_SECOND);
        String etcdPut = "{\"key\":\"" + b64("config/bench/flags") + "\",\"value\":\"" + b64(value) + "\"}";
        HttpLoadProcess.Measured base = HttpLoadProcess.Measured.of(LoadGenerator.run(HttpLoadProcess.class, runner.work(), () -> { },
                "1", warm, seconds, etcd.clientUrls().get(0) + "/v3/kv/put", etcdPut));
        ThreadCpu[] cpuBefore = new ThreadCpu[1];
        JfrTop samples = new JfrTop();
        HttpLoadProcess.Measured bus = HttpLoadProcess.Measured.of(LoadGenerator.run(HttpLoadProcess.class, runner.work(),
                () -> cpuBefore[0] = ThreadCpu.now(), "1", warm, seconds, app.url() + "/v1/kv/config/bench/flags", value, "PUT"));
        String threads = ThreadCpu.now().since(cpuBefore[0], 8);
        String frames = samples.top(6, "vert.x-eventloop");
        String name = "7. KV put (answered once applied), 1 client, load in its own process";
        String baseline = "etcd put, the same way";
        runner.report().add(name, "puts/s", bus.perSecond(), baseline, base.perSecond(), bus.perSecond() / base.perSecond(), "-", true);
        runner.report().add(name, "p50 ms", bus.p50(), baseline, base.p50(), bus.p50() / base.p50(), "-", true);
        runner.report().add(name, "p99 ms", bus.p99(), baseline, base.p99(), bus.p99() / base.p99(), "-", true);
        runner.report().note(String.format(Locale.ROOT, "KV put at 1 client: p99.9 %.2f ms (etcd %.2f); %d bus errors, %d etcd errors;"
                + " the bus's JVM by thread: %s; JFR of the event loop: %s", bus.p999(), base.p999(), bus.errors(), base.errors(),
                threads, frames));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
