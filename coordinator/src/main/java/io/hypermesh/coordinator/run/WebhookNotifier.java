package io.hypermesh.coordinator.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.events.lifecycle.PhaseState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Notifies a webhook (Slack-style incoming hook, Alertmanager receiver, any HTTP endpoint) when a
 * phase completes, degrades, fails or is rolled back: one JSON POST per event. A webhook that does
 * not answer is logged and skipped; it never holds the startup back for more than its timeout.
 */
public final class WebhookNotifier implements ProgressListener {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI url;
    private final String platform;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public WebhookNotifier(String url, String platform) {
        this.url = URI.create(url);
        this.platform = platform;
    }

    @Override
    public void phase(int phase, String name, int done, int total, PhaseState state) {
        if (state == PhaseState.RUNNING || state == PhaseState.PENDING) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("platform", platform);
        body.put("phase", phase);
        body.put("name", name);
        body.put("state", state.name());
        body.put("done", done);
        body.put("total", total);
        body.put("at", Instant.now().toString());
        body.put("text", "platform " + platform + ": phase " + phase + " (" + name + ") " + state.name().toLowerCase());
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                            HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 != 2) {
                LOG.warn("notification webhook {} answered {}", url, r.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("notification webhook {} failed: {}", url, e.toString());
        }
    }

    /** Both listeners hear everything, in order. */
    public static ProgressListener alongside(ProgressListener first, ProgressListener second) {
        return new ProgressListener() {
            @Override
            public void active(long epoch) {
                first.active(epoch);
                second.active(epoch);
            }

            @Override
            public void phase(int phase, String name, int done, int total, PhaseState state) {
                first.phase(phase, name, done, total, state);
                second.phase(phase, name, done, total, state);
            }

            @Override
            public void component(String componentId, String state, String reason) {
                first.component(componentId, state, reason);
                second.component(componentId, state, reason);
            }
        };
    }
}
