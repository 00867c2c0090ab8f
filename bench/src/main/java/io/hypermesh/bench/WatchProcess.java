package io.hypermesh.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The latency benchmark's watchers, in a process of their own so the measured JVM runs only the bus:
 * {@code <api> <service>...}, one blocking query per service on the discovery API, printing
 * {@code seen <micros>} for each probe the first time a view shows it (from when it was due to be
 * sent, wall clock), until its standard input closes.
 */
public final class WatchProcess {
    private WatchProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> watchers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String service = args[i];
            Thread t = new Thread(() -> watch(args[0], service, out, stop), "watch-" + i);
            t.setDaemon(true);
            t.start();
            watchers.add(t);
        }
        synchronized (out) {
            out.println("watching");
            out.flush();
        }
        while (System.in.read() >= 0) {
            // until the parent closes our input
        }
        stop.set(true);
        synchronized (out) {
            out.flush();
        }
    }

    /** Follows one service with blocking queries; each probe seen is timed from when it was due. */
    private static void watch(String api, String service, PrintStream out, AtomicBoolean stop) {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> seen = new HashSet<>();
        String index = "0";
        while (!stop.get()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/catalog/service/" + service
                        + "?index=" + index + "&wait=5s")).build(), HttpResponse.BodyHandlers.ofString());
                // Wall-clock microseconds: the probes' due times come from another process.
                long nowMicros = LoadGenerator.nowMicros();
                if (r.statusCode() != 200) {
                    System.err.println(service + ": " + r.statusCode() + " " + r.body());
                    pause();
                    continue;
                }
                index = r.headers().firstValue("X-Consul-Index").orElse("0");
                JsonArray entries = new JsonArray(r.body());
                for (int e = 0; e < entries.size(); e++) {
                    JsonObject meta = entries.getJsonObject(e).getJsonObject("ServiceMeta");
                    long age = meta == null ? -1 : LoadGenerator.firstSeenAgeMicros(meta.getString("seq"),
                            meta.getString(LoadGenerator.DUE_MICROS), seen, nowMicros);
                    if (age >= 0) {
                        synchronized (out) {
                            out.println("seen " + age);
                            out.flush();
                        }
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                if (stop.get()) {
                    return;
                }
                System.err.println(service + ": " + e);
                pause(); // the bus may be restarting: never spin on a failing request
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the watchers of {@code services} in a child JVM; each probe they see goes into {@code latencies} until the handle closes. */
    static AutoCloseable start(Path work, String api, List<String> services, Latencies latencies) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(api));
        args.addAll(services);
        List<String> command = ChildJvm.command(List.of(), WatchProcess.class.getName(), args);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("watchers.log").toFile())).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream()));
        String first = lines.readLine();
        if (!"watching".equals(first)) {
            process.destroyForcibly();
            throw new IllegalStateException("the watchers did not start: see " + work.resolve("watchers.log"));
        }
        Thread reader = new Thread(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("seen ")) {
                        latencies.add(Long.parseLong(line.substring(5)));
                    }
                }
            } catch (IOException ended) {
                // the process ended
            }
        }, "watchers-output");
        reader.setDaemon(true);
        reader.start();
        return () -> {
            process.getOutputStream().close();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(5_000);
        };
    }
}
