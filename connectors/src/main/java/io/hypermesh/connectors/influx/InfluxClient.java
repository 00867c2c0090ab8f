package io.hypermesh.connectors.influx;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Writes line protocol to InfluxDB's /write endpoint and sorts its answers into done, retry, refused and misconfigured. */
public final class InfluxClient {
    /** InfluxDB refused the points themselves (400): writing them again will not help. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final URI write;
    private final String authorization;
    private final Duration timeout;

    public InfluxClient(InfluxSinkConfig config) {
        String base = config.getString(InfluxSinkConfig.URL).replaceAll("/+$", "");
        String rp = config.getString(InfluxSinkConfig.RETENTION_POLICY);
        this.write = URI.create(base + "/write?precision=ms&db=" + URLEncoder.encode(config.getString(InfluxSinkConfig.DATABASE),
                StandardCharsets.UTF_8)
                + (rp.isEmpty() ? "" : "&rp=" + URLEncoder.encode(rp, StandardCharsets.UTF_8)));
        String token = config.getPassword(InfluxSinkConfig.TOKEN).value();
        String user = config.getString(InfluxSinkConfig.USERNAME);
        this.authorization = !token.isEmpty() ? "Token " + token
                : !user.isEmpty() ? "Basic " + Base64.getEncoder().encodeToString((user + ":"
                        + config.getPassword(InfluxSinkConfig.PASSWORD).value())
                .getBytes(StandardCharsets.UTF_8)) : null;
        this.timeout = Duration.ofMillis(config.getInt(InfluxSinkConfig.TIMEOUT_MS));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public void write(String lines) {
        HttpRequest.Builder request = HttpRequest.newBuilder(write).timeout(timeout)
                .header("Content-Type", "text/plain; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString(lines));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RetriableException("InfluxDB at " + write.getHost() + ":" + write.getPort() + " did not answer: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("interrupted writing to InfluxDB", e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String reason = "InfluxDB answered " + status + ": " + response.body().strip();
        if (status == 400) {
            throw new Refused(reason);
        }
        if (status == 429 || status / 100 == 5) {
            throw new RetriableException(reason);
        }
        // 401, 403, 404 (no such database) and the like: a setting is wrong; retrying cannot help.
        throw new ConnectException(reason);
    }
}
