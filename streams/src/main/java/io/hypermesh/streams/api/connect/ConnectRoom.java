package io.hypermesh.streams.api.connect;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.connect.ConnectParts;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * Consul Connect, spoken exactly: the CA ({@link CaEndpoints}), intentions ({@link Intentions}) and
 * authorize ({@link Authorize}), plus our L7 authorize under {@code /v1/hypermesh/connect}.
 */
public final class ConnectRoom {
    private final CaEndpoints ca;
    private final Intentions intentions;
    private final Authorize authorize;

    public ConnectRoom(Vertx vertx, ConnectParts connect, BusPublisher writer, ChangeSignal changes, Watchers watchers,
                       MeterRegistry metrics, String nodeName) {
        ConnectReads reads = new ConnectReads(vertx, changes, watchers, connect.applied());
        this.ca = new CaEndpoints(vertx, connect.ca(), writer, reads, watchers, changes, nodeName);
        this.intentions = new Intentions(connect.book(), writer, reads, nodeName);
        this.authorize = new Authorize(connect.book(), connect.decisions(), metrics);
    }

    public void mount(Routes routes) {
        ca.mount(routes);
        intentions.mount(routes);
        authorize.mount(routes);
    }
}
