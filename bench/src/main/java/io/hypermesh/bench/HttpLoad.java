package io.hypermesh.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Closed-loop HTTP load: N clients, each sending its next request when the last one answered. */
final class HttpLoad {
    record Result(double perSecond, Latencies latencies, long errors) {
    }

    static Result run(int clients, Duration duration, HttpRequest request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + duration.toNanos();
        List<Future<long[]>> work = new ArrayList<>();
        Latencies all = new Latencies();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            work.add(pool.submit(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                long ok = 0;
                long errors = 0;
                Latencies mine = new Latencies();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    long t1 = System.nanoTime();
                    if (r.statusCode() == 200) {
                        ok++;
                        mine.add((t1 - t0) / 1000);
                    } else {
                        errors++;
                    }
                }
                all.addAll(mine);
                return new long[]{ok, errors};
            }));
        }
        long ok = 0;
        long errors = 0;
        for (Future<long[]> f : work) {
            long[] r = f.get();
            ok += r[0];
            errors += r[1];
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        return new Result(ok / seconds, all, errors);
    }

    static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
    }

    static HttpRequest post(String url, String body) {
        return request("POST", url, body);
    }

    static HttpRequest request(String method, String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
