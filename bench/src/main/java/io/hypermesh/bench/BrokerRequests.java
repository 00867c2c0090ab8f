package io.hypermesh.bench;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The embedded broker's requests by type, from its JMX meters: its handler threads' CPU follows the
 * number of requests more than the number of records, so a window's request rates say why.
 */
final class BrokerRequests {
    private final Map<String, Long> counts;
    private final long nanos = System.nanoTime();

    private BrokerRequests(Map<String, Long> counts) {
        this.counts = counts;
    }

    static BrokerRequests now() {
        Map<String, Long> counts = new TreeMap<>();
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName name : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                Object count = server.getAttribute(name, "Count");
                counts.merge(name.getKeyProperty("request"), ((Number) count).longValue(), Long::sum);
            }
        } catch (Exception e) {
            // no broker in this JVM (or no JMX): the window says nothing about requests
        }
        return new BrokerRequests(counts);
    }

    /** Requests per second since {@code before}, busiest first, at most {@code top} types; empty without a broker here. */
    String ratesSince(BrokerRequests before, int top) {
        double seconds = (nanos - before.nanos) / 1e9;
        return counts.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.counts.getOrDefault(e.getKey(), 0L)) / seconds))
                .filter(e -> e.getValue() >= 0.5)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
