package io.hypermesh.coordinator.run;

import io.hypermesh.events.LifecycleState;
import io.hypermesh.schemas.kafka.TlsIdentity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Follows the lifecycle fold through the query API's blocking query on
 * {@code /v1/hypermesh/lifecycle/components}: the coordinator advances only on what components reported.
 */
public final class LifecycleWatcher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long the API may hold a look at the view that finds nothing new: a change answers at once,
     * so a longer wait only spares an idle bus a request, a render and a parse (it was 2 s); within
     * the request's 30 s timeout. Closing interrupts the wait.
     */
    static final String WAIT = "20s";

    /** A component as the fold knows it. */
    public record ComponentView(String id, LifecycleState state, String reason, String lastCommand, String lastCommandId,
            long coordinatorEpoch) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LifecycleWatcher.class);
    private final String apiUrl;
    private final HttpClient http;
    private final Thread thread;
    private volatile boolean running = true;
    private Map<String, ComponentView> latest = Map.of();
    private String index = "0";
    /** Why the last look at the view failed (null once one succeeds): what a timed-out wait reports as its cause. */
    private volatile String problem;

    /** @param tls the caller's identity, for a query API served over HTTPS */
    public LifecycleWatcher(String apiUrl, TlsIdentity tls) {
        this.http = tls.jdkClient(Duration.ofSeconds(5));
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.thread = new Thread(this::follow, "lifecycle-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        while (running) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/hypermesh/lifecycle/components?index="
                        + index + "&wait=" + WAIT)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    report("GET /v1/hypermesh/lifecycle/components answered " + r.statusCode() + ": " + abbreviate(r.body()));
                    Thread.sleep(200);
                    continue;
                }
                Map<String, ComponentView> views = new HashMap<>();
                for (JsonNode c : JSON.readTree(r.body())) {
                    views.put(c.get("ComponentID").asText(), new ComponentView(c.get("ComponentID").asText(),
                            LifecycleState.valueOf(c.get("State").asText()),
                            c.path("Reason").isNull() ? null : c.path("Reason").asText(null),
                            c.path("LastCommand").isNull() ? null : c.path("LastCommand").asText(null),
                            c.path("LastCommandID").isNull() ? null : c.path("LastCommandID").asText(null),
                            c.path("CoordinatorEpoch").asLong()));
                }
                index = r.headers().firstValue("X-Consul-Index").orElse("0");
                problem = null;
                synchronized (this) {
                    latest = views;
                    notifyAll();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                report("the lifecycle view at " + apiUrl + " could not be read: " + e);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * Keeps why the last look failed, and logs it when it is news: while the view cannot be read
     * the coordinator decides on the last one it had, so a run that went wrong must say so.
     */
    private void report(String why) {
        if (!why.equals(problem)) {
            LOG.warn("{} (deciding on the view read before)", why);
        }
        problem = why;
    }

    /** Why the lifecycle view could not be read last time, if it could not. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    private static String abbreviate(String body) {
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }

    public synchronized Optional<ComponentView> current(String componentId) {
        return Optional.ofNullable(latest.get(componentId));
    }

    /** Waits until the component's view satisfies the condition; empty when the deadline passes first. */
    public synchronized Optional<ComponentView> await(String componentId, Predicate<ComponentView> condition, long deadlineNanos)
            throws InterruptedException {
        while (true) {
            ComponentView view = latest.get(componentId);
            if (view != null && condition.test(view)) {
                return Optional.of(view);
            }
            long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return Optional.empty();
            }
            wait(leftMs);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
