package io.hypermesh.coordinator.run;

import com.sun.net.httpserver.HttpServer;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.schemas.kafka.TlsIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's view of the lifecycle fold: states are typed, and a view it cannot read says why. */
class LifecycleWatcherTest {
    final AtomicInteger status = new AtomicInteger(503);
    final AtomicReference<String> body = new AtomicReference<>("store lifecycle-components is not available yet (REBALANCING)");
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aViewThatCannotBeReadIsReportedThenItsStatesAreTyped() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/hypermesh/lifecycle/components", exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Consul-Index", "7");
            exchange.sendResponseHeaders(status.get(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try (LifecycleWatcher watcher = new LifecycleWatcher("http://127.0.0.1:" + server.getAddress().getPort(), TlsIdentity.NONE)) {
            long deadline = System.nanoTime() + 1_500_000_000L;
            assertTrue(watcher.await("web", v -> true, deadline).isEmpty(), "nothing known while the view fails");
            String problem = watcher.problem().orElseThrow();
            assertTrue(problem.contains("answered 503: store lifecycle-components is not available yet (REBALANCING)"), problem);

            body.set("[{\"ComponentID\":\"web\",\"State\":\"RUNNING\",\"Reason\":null,\"LastCommand\":\"START\",\"LastCommandID\":\"c1\","
                    + "\"CoordinatorEpoch\":3}]");
            status.set(200);
            LifecycleWatcher.ComponentView web = watcher.await("web", v -> true, System.nanoTime() + 5_000_000_000L).orElseThrow();
            assertEquals(LifecycleState.RUNNING, web.state());
            assertEquals("c1", web.lastCommandId());
            assertTrue(watcher.problem().isEmpty(), "a view read again clears the problem");
        }
    }

    @Test
    void anUnreachableViewNamesWhereItLooked() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (LifecycleWatcher watcher = new LifecycleWatcher("http://127.0.0.1:" + port, TlsIdentity.NONE)) {
            watcher.await("web", v -> true, System.nanoTime() + 2_000_000_000L);
            String problem = watcher.problem().orElseThrow();
            assertTrue(problem.startsWith("the lifecycle view at http://127.0.0.1:" + port + " could not be read: "), problem);
        }
    }
}
