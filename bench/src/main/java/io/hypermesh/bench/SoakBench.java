package io.hypermesh.bench;

import io.hypermesh.http.FreePorts;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 28's soak: a real `hypermesh up` in a process of its own takes normal traffic from one
 * client (registrations and reads, about 20 a second) while {@link HostileClients} repeat every
 * repro from addresses of their own. Each minute it records the normal requests' p50, p99 and
 * worst, how many of them failed, and the bus's RSS from /proc. Report: a markdown section.
 */
final class SoakBench {
    static final int INSTANCES = 4_000;

    private final Path launcher;
    private final Path work;
    private final Duration length;
    private final PrintWriter log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SoakBench(Path launcher, Path work, Duration length, PrintWriter log) {
        this.launcher = launcher;
        this.work = work;
        this.length = length;
        this.log = log;
    }

    record Minute(int minute, int requests, double p50, double p99, double max, long failed, long rssMb) {
    }

    /** Runs the soak; the markdown section of its results. */
    String run() throws Exception {
        int api = FreePorts.onLoopback();
        int registry = FreePorts.onLoopback();
        int kafka = FreePorts.onLoopback();
        Process up = new ProcessBuilder(launcher.toString(), "up", "--data-dir=" + work.resolve("bus"), "--kafka-port=" + kafka,
                "--registry-port=" + registry, "--api-port=" + api)
                .redirectError(work.resolve("up.log").toFile()).start();
        ChildJvm.awaitLine(up, "is up", line -> {
            log.println("up: " + line);
            log.flush();
        });
        String base = "http://127.0.0.1:" + api;
        List<Minute> minutes = new ArrayList<>();
        HostileClients hostile = new HostileClients("127.0.0.1", api, registry, "127.0.0.1:" + kafka);
        try {
            for (int i = 0; i < INSTANCES; i++) {
                send("PUT", base + "/v1/agent/service/register", "{\"ID\":\"big-" + i + "\",\"Name\":\"big\",\"Tags\":[\"a\",\"b\"],"
                        + "\"Meta\":{\"zone\":\"z" + (i % 3) + "\"},\"Check\":{\"TTL\":\"24h\"}}");
            }
            send("PUT", base + "/v1/agent/service/register", "{\"ID\":\"" + "a".repeat(40) + "!\",\"Name\":\"redos\"}");
            log.println("soak: " + INSTANCES + " instances registered; hostile clients start, normal traffic measured each minute");
            log.flush();
            hostile.start("big");
            Instant end = Instant.now().plus(length);
            for (int minute = 1; Instant.now().isBefore(end); minute++) {
                minutes.add(normalMinute(minute, base, "http://127.0.0.1:" + registry, up.pid()));
                Minute m = minutes.get(minutes.size() - 1);
                log.printf("soak minute %d: %d requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed, RSS %d MB, alive %s%n",
                        m.minute(), m.requests(), m.p50(), m.p99(), m.max(), m.failed(), m.rssMb(), up.isAlive());
                log.flush();
                if (!up.isAlive()) {
                    break;
                }
            }
        } finally {
            hostile.close();
            boolean alive = up.isAlive();
            up.toHandle().destroy();
            up.waitFor();
            minutes.add(new Minute(-1, 0, 0, 0, 0, alive ? 0 : 1, 0));
        }
        return report(minutes, hostile.done);
    }

    /** One minute of normal traffic, about 20 requests a second, one at a time. */
    private Minute normalMinute(int minute, String api, String registry, long pid) throws Exception {
        Latencies latencies = new Latencies();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long rss = 0;
        for (int i = 0; System.nanoTime() < end; i++) {
            int k = ThreadLocalRandom.current().nextInt(INSTANCES);
            String[] request = switch (i % 5) {
                case 0 -> new String[]{"PUT", api + "/v1/agent/check/pass/service:big-" + k, ""};
                case 1 -> new String[]{"GET", api + "/v1/agent/service/big-" + k, null};
                case 2 -> new String[]{"GET", api + "/v1/health/service/redos", null};
                case 3 -> new String[]{"GET", api + "/v1/status/leader", null};
                default -> new String[]{"GET", registry + "/subjects", null};
            };
            long start = System.nanoTime();
            int status;
            try {
                status = send(request[0], request[1], request[2]);
            } catch (Exception e) {
                status = -1;
            }
            latencies.add((System.nanoTime() - start) / 1_000);
            if (status < 200 || status >= 300) {
                failed.incrementAndGet();
            }
            if (i % 100 == 0) {
                rss = Math.max(rss, IdleBench.rssMb(pid));
            }
            Thread.sleep(50);
        }
        return new Minute(minute, latencies.count(), latencies.percentileMs(50), latencies.percentileMs(99),
                latencies.percentileMs(100), failed.get(), Math.max(rss, IdleBench.rssMb(pid)));
    }

    private int send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String report(List<Minute> minutes, Map<String, AtomicLong> hostile) {
        Minute last = minutes.remove(minutes.size() - 1);
        StringBuilder md = new StringBuilder("## Soak: normal traffic beside hostile clients (issue 28)\n\n");
        md.append("Run ").append(Instant.now()).append(" with `hypermesh bench --soak=").append(length.toMinutes()).append("m` on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores: a real `hypermesh up` in its own process with ")
                .append(INSTANCES).append(" instances; one normal client (TTL reports, agent and health reads, status, registry subjects; ")
                .append("one request every 50 ms, one at a time) while the hostile clients ran: ");
        hostile.forEach((name, n) -> md.append(name).append(" ×").append(n.get()).append(", "));
        md.setLength(md.length() - 2);
        md.append(". The bus ").append(last.failed() == 0 ? "was still running at the end" : "**had exited**").append(".\n\n");
        md.append("A failed normal request is one answered other than 2xx, or not at all. The hostile transaction holds every ")
                .append("registry partition for 15 s every 2 minutes, so a TTL report that meets it waits the 10 s visibility bound ")
                .append("and is answered 503 with the holder's name: that is the bound working, and the max column's 10 s.\n\n");
        md.append("| minute | normal requests | p50 ms | p99 ms | max ms | failed | bus RSS MB |\n| ---: | ---: | ---: | ---: | ---: | "
                + "---: | ---: |\n");
        for (Minute m : minutes) {
            md.append(String.format("| %d | %d | %.1f | %.1f | %.1f | %d | %d |%n", m.minute(), m.requests(), m.p50(), m.p99(), m.max(),
                    m.failed(), m.rssMb()));
        }
        return md.toString();
    }
}
