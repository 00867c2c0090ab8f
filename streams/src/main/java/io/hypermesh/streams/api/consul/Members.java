package io.hypermesh.streams.api.consul;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The agents of this Consul "cluster": the instances of the folds, as the peer room finds them. */
public interface Members {
    /** A Consul agent member entry for one instance. */
    JsonObject member(String name, String host, int port);

    /** Every instance's member entry. */
    Future<JsonArray> members();
}
