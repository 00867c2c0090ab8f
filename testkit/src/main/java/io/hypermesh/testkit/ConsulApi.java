package io.hypermesh.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The bus's Consul-compatible HTTP API, as a test talks to it: a path and a JSON body in, the
 * status and body out. Any Consul client works against {@link TestBus#endpoints()} too; this one
 * needs nothing and leaves no thread or connection behind.
 */
public final class ConsulApi {
    private final String baseUrl;

    ConsulApi(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** An answer: its status and body. */
    public record Response(int status, String body) {
        /** The body, after checking the status is 200. */
        public String ok() {
            if (status != 200) {
                throw new AssertionError("expected 200 from the Consul API, got " + status + ": " + body);
            }
            return body;
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response put(String path, String json) {
        return send("PUT", path, json);
    }

    /** Registers a service with the agent ({@code PUT /v1/agent/service/register}), as Consul's JSON gives it. */
    public void register(String serviceJson) {
        put("/v1/agent/service/register", serviceJson).ok();
    }

    /** Deregisters a service instance by its ID. */
    public void deregister(String serviceId) {
        put("/v1/agent/service/deregister/" + serviceId, "").ok();
    }

    public Response send(String method, String path, String json) {
        HttpURLConnection http = null;
        try {
            http = (HttpURLConnection) URI.create(baseUrl + path).toURL().openConnection();
            http.setRequestMethod(method);
            http.setConnectTimeout(10_000);
            http.setReadTimeout(60_000);
            if (json != null) {
                http.setDoOutput(true);
                http.setRequestProperty("Content-Type", "application/json");
                try (OutputStream body = http.getOutputStream()) {
                    body.write(json.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = http.getResponseCode();
            InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, body);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + baseUrl + path + ": " + e.getMessage(), e);
        } finally {
            if (http != null) {
                http.disconnect(); // no kept-alive connection, so no JDK keep-alive thread outlives the bus
            }
        }
    }
}
