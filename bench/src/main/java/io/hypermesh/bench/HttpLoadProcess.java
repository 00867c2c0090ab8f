package io.hypermesh.bench;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;

/**
 * {@link HttpLoad} in a process of its own, so the measured JVM runs only the bus: {@code <clients>
 * <warmSeconds> <runSeconds> <url> [<body> [<method>, POST when absent]]}. Warms its own JIT (and the server's)
 * untimed, prints {@code started}, runs, then prints {@code rate}, {@code p50}, {@code p99},
 * {@code p999} (ms) and {@code errors}, and the protocol's {@code probes} and {@code cpu}.
 */
public final class HttpLoadProcess {
    private HttpLoadProcess() {
    }

    public static void main(String[] args) throws Exception {
        int clients = Integer.parseInt(args[0]);
        Duration warm = Duration.ofSeconds(Long.parseLong(args[1]));
        Duration run = Duration.ofSeconds(Long.parseLong(args[2]));
        HttpRequest request = args.length > 4 ? HttpLoad.request(args.length > 5 ? args[5] : "POST", args[3], args[4])
                : HttpLoad.get(args[3]);
        HttpLoad.run(clients, warm, request);
        LoadGenerator.started();
        HttpLoad.Result r = HttpLoad.run(clients, run, request);
        System.out.println(String.format(Locale.ROOT, "rate %.1f", r.perSecond()));
        System.out.println(String.format(Locale.ROOT, "p50 %.3f", r.latencies().percentileMs(50)));
        System.out.println(String.format(Locale.ROOT, "p99 %.3f", r.latencies().percentileMs(99)));
        System.out.println(String.format(Locale.ROOT, "p999 %.3f", r.latencies().percentileMs(99.9)));
        System.out.println("errors " + r.errors());
        LoadGenerator.finished(0);
    }

    /** What a run measured, read back from the child's lines. */
    record Measured(double perSecond, double p50, double p99, double p999, long errors, double cpuSeconds) {
        static Measured of(LoadGenerator.Result r) {
            return new Measured(number(r, "rate"), number(r, "p50"), number(r, "p99"), number(r, "p999"), (long) number(r, "errors"),
                    r.cpuSeconds());
        }

        private static double number(LoadGenerator.Result r, String name) {
            return r.lines().stream().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length()
                    + 1))).findFirst().orElseThrow(() -> new IllegalStateException("the HTTP load printed no " + name));
        }
    }
}
