package io.hypermesh.connectors.prometheus;

import com.sun.net.httpserver.HttpServer;
import io.hypermesh.connectors.SampleTask;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Keeps the newest sample of every series and serves them on its own scrape endpoint. */
public final class PrometheusSinkTask extends SampleTask {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusSinkTask.class);
    private Exposition exposition;
    private HttpServer server;

    @Override
    public void start(Map<String, String> props) {
        PrometheusSinkConfig config = new PrometheusSinkConfig(props);
        startSamples(config);
        exposition = new Exposition(config.getString(PrometheusSinkConfig.METRIC_PREFIX));
        String host = config.getString(PrometheusSinkConfig.LISTEN_HOST);
        int port = config.getInt(PrometheusSinkConfig.LISTEN_PORT);
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new ConnectException("cannot serve Prometheus metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server.createContext(config.getString(PrometheusSinkConfig.PATH), exchange -> {
            byte[] body = exposition.render().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        LOG.info("Prometheus sink serving http://{}:{}{}", host, server.getAddress().getPort(),
                config.getString(PrometheusSinkConfig.PATH));
    }

    @Override
    protected void write(Batch batch) {
        exposition.update(batch.samples());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
