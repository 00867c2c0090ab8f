package io.hypermesh.streams.api;

import io.hypermesh.http.GoBool;
import io.vertx.ext.web.RoutingContext;

/** One rule for every boolean query parameter, Consul's: absent is false, present alone is true, else Go's ParseBool. */
public final class QueryFlags {
    private QueryFlags() {
    }

    /** {@code ?name}; a value Go cannot read as a boolean is a 400, as Consul answers it. */
    public static boolean flag(RoutingContext ctx, String name) {
        if (!ctx.request().params().contains(name)) {
            return false;
        }
        String value = ctx.request().getParam(name);
        if (value == null || value.isEmpty()) {
            return true;
        }
        try {
            return GoBool.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Invalid value for ?" + name);
        }
    }
}
