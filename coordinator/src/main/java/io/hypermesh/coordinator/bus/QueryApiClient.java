package io.hypermesh.coordinator.bus;

import io.hypermesh.schemas.kafka.TlsIdentity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads one view of the query API; anything but a 200 is an error naming the URL and the answer. */
public final class QueryApiClient {
    private QueryApiClient() {
    }

    /** @param tls the caller's identity, for a query API served over HTTPS */
    public static String get(String url, TlsIdentity tls) {
        try {
            HttpResponse<String> r = tls.jdkClient(Duration.ofSeconds(10)).send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(url + " does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading " + url, e);
        }
    }
}
