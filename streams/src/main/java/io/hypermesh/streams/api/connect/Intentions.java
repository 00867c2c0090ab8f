package io.hypermesh.streams.api.connect;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.connect.IntentionDeleted;
import io.hypermesh.events.connect.IntentionWritten;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Callers;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.consul.ConsulFilter;
import io.hypermesh.streams.api.consul.ConsulQueries;
import io.hypermesh.streams.api.consul.ConsulRequests;
import io.hypermesh.streams.connect.Intention;
import io.hypermesh.streams.connect.IntentionBook;
import io.hypermesh.streams.connect.IntentionTopology;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Consul's intentions API: upsert, read and delete by name ({@code /exact}), the list (with
 * {@code ?filter}), {@code /check}, {@code /match}, and the deprecated ID routes older clients use.
 * A change is an event on {@code hypermesh.intentions} naming who made it; the answer comes once
 * this instance's fold applied it, so the next read sees it.
 */
public final class Intentions {
    static final String PATH = "/v1/connect/intentions";
    private static final Pattern UUID_FORM = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final IntentionBook book;
    private final BusPublisher writer;
    private final ConnectReads reads;
    private final EventSource source;

    Intentions(IntentionBook book, BusPublisher writer, ConnectReads reads, String nodeName) {
        this.book = book;
        this.writer = writer;
        this.reads = reads;
        this.source = new EventSource(nodeName, ComponentKind.STREAMS);
    }

    void mount(Routes routes) {
        routes.get(PATH).handler(this::list);
        routes.post(PATH).handler(this::create);
        routes.get(PATH + "/exact").handler(ctx -> reads.serve(ctx, IntentionTopology.SCOPE, reads::intentionsIndex,
                () -> IntentionJson.render(exact(ctx).orElseThrow(() -> ApiException.notFound("Intention not found")))));
        routes.put(PATH + "/exact").handler(this::upsertExact);
        routes.delete(PATH + "/exact").handler(ctx -> {
            Optional<Intention> found = exact(ctx);
            if (found.isEmpty()) {
                Responses.json(ctx, 200, true);
                return;
            }
            delete(ctx, found.get());
        });
        routes.get(PATH + "/check").handler(this::check);
        routes.get(PATH + "/match").handler(this::match);
        routes.get(PATH + "/:id").handler(ctx -> reads.serve(ctx, IntentionTopology.SCOPE, reads::intentionsIndex,
                () -> IntentionJson.render(byId(ctx))));
        routes.put(PATH + "/:id").handler(this::updateById);
        routes.delete(PATH + "/:id").handler(ctx -> delete(ctx, byId(ctx)));
    }

    private void list(RoutingContext ctx) {
        ConsulFilter filter = ConsulQueries.filter(ctx, IntentionJson.FIELDS);
        reads.serve(ctx, IntentionTopology.SCOPE, reads::intentionsIndex, () -> {
            JsonArray out = new JsonArray();
            for (Intention i : book.all()) {
                JsonObject rendered = IntentionJson.render(i);
                if (filter == null || filter.test(rendered)) {
                    out.add(rendered);
                }
            }
            return out;
        });
    }

    private void check(RoutingContext ctx) {
        String src = one(ctx, "source");
        String dst = one(ctx, "destination");
        String sourceType = ctx.request().getParam("source-type", "consul");
        if (!sourceType.equals("consul")) {
            throw ApiException.badRequest("unsupported SourceType: " + sourceType);
        }
        IntentionBook.Decision d = book.decideL4("default", entry(src, "source"), "default", entry(dst, "destination"));
        Responses.json(ctx, 200, new JsonObject().put("Allowed", d.allowed()));
    }

    private void match(RoutingContext ctx) {
        List<String> by = ctx.queryParam("by");
        if (by.size() != 1) {
            throw ApiException.badRequest("required query parameter 'by' not set");
        }
        if (!by.get(0).equals("source") && !by.get(0).equals("destination")) {
            throw ApiException.badRequest("'by' parameter must be one of 'source' or 'destination'");
        }
        List<String> names = ctx.queryParam("name");
        if (names.isEmpty()) {
            throw ApiException.badRequest("required query parameter 'name' not set");
        }
        if (names.size() > 64) {
            throw ApiException.badRequest("at most 64 names may be matched at once");
        }
        names.forEach(n -> entry(n, "name"));
        boolean byDestination = by.get(0).equals("destination");
        reads.serve(ctx, IntentionTopology.SCOPE, reads::intentionsIndex, () -> {
            JsonObject out = new JsonObject();
            for (String n : names) {
                JsonArray matches = new JsonArray();
                book.match(byDestination, "default", entry(n, "name")).forEach(i -> matches.add(IntentionJson.render(i)));
                out.put(n, matches);
            }
            return out;
        });
    }

    private void upsertExact(RoutingContext ctx) {
        String src = entry(one(ctx, "source"), "source");
        String dst = entry(one(ctx, "destination"), "destination");
        IntentionJson.Written w = IntentionJson.read(ConsulRequests.jsonBody(ctx), src, dst, false);
        Optional<Intention> existing = book.exact(Intention.key("default", src, "default", dst));
        write(ctx, w, existing.map(Intention::id).orElse(""), existing, null).onSuccess(v -> Responses.json(ctx, 200, true))
                .onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = ConsulRequests.jsonBody(ctx);
        if (!new ConsulRequests.Fields(body, "").string("ID", "").isEmpty()) {
            throw ApiException.badRequest("ID must be empty when creating a new intention");
        }
        IntentionJson.Written w = IntentionJson.read(body, null, null, true);
        Optional<Intention> existing = book.exact(Intention.key("default", w.sourceName(), "default", w.destinationName()));
        if (existing.isPresent()) {
            throw ApiException.badRequest("duplicate intention found: " + existing.get());
        }
        String id = UUID.randomUUID().toString();
        write(ctx, w, id, Optional.empty(), null).onSuccess(v -> Responses.json(ctx, 200, new JsonObject().put("ID", id)))
                .onFailure(ctx::fail);
    }

    private void updateById(RoutingContext ctx) {
        Intention current = byId(ctx);
        IntentionJson.Written w = IntentionJson.read(ConsulRequests.jsonBody(ctx), null, null, true);
        if (!w.destinationName().equals(current.destinationName())) {
            throw ApiException.badRequest("Cannot modify DestinationNS or DestinationName for an intention once it exists.");
        }
        String key = Intention.key("default", w.sourceName(), "default", w.destinationName());
        Future<Void> done;
        if (key.equals(current.key())) {
            done = write(ctx, w, current.id(), Optional.of(current), null);
        } else {
            // A new source: that pair must be free, and one record both writes it and removes the old pair.
            if (book.exact(key).isPresent()) {
                throw ApiException.badRequest("duplicate intention found: " + book.exact(key).get());
            }
            done = write(ctx, w, current.id(), Optional.of(current), current.key()).onSuccess(v ->
                    // Only so compaction can drop the old pair's record: the fold has removed it already.
                    publish(current.key(), deleted(ctx, current)));
        }
        done.onSuccess(v -> Responses.json(ctx, 200, new JsonObject().put("ID", current.id()))).onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx, Intention intention) {
        publish(intention.key(), deleted(ctx, intention)).onSuccess(v -> Responses.json(ctx, 200, true)).onFailure(ctx::fail);
    }

    private IntentionDeleted deleted(RoutingContext ctx, Intention i) {
        return new IntentionDeleted(i.id(), i.sourceNs(), i.sourceName(), i.destinationNs(), i.destinationName(), Callers.who(ctx));
    }

    private Future<Void> write(RoutingContext ctx, IntentionJson.Written w, String id, Optional<Intention> existing, String replaces) {
        String key = Intention.key("default", w.sourceName(), "default", w.destinationName());
        if ((existing.isEmpty() || replaces != null) && book.size() >= IntentionBook.MAX_INTENTIONS) {
            throw ApiException.badRequest("the bus holds at most " + IntentionBook.MAX_INTENTIONS + " intentions; delete one first");
        }
        Instant created = existing.map(Intention::createdAt).orElse(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        IntentionWritten written = new IntentionWritten(id, "default", w.sourceName(), "default", w.destinationName(), w.sourceType(),
                w.action(), w.permissions(), w.description(), w.meta(), created, existing.map(Intention::createIndex).orElse(0L),
                replaces, Callers.who(ctx));
        return publish(key, written);
    }

    private Future<Void> publish(String key, SpecificRecord payload) {
        return Future.fromCompletionStage(writer.publish(Topics.INTENTIONS, key, Envelopes.wrap(Topics.INTENTIONS, source, payload)))
                .compose(meta -> reads.applied(meta.partition(), meta.offset()));
    }

    private Optional<Intention> exact(RoutingContext ctx) {
        return book.exact(Intention.key("default", entry(one(ctx, "source"), "source"), "default",
                entry(one(ctx, "destination"), "destination")));
    }

    private Intention byId(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!UUID_FORM.matcher(id).matches()) {
            throw ApiException.badRequest("UUID must be 36 characters");
        }
        return book.byId(id.toLowerCase(java.util.Locale.ROOT)).orElseThrow(() -> ApiException.notFound("Intention not found"));
    }

    private static String one(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.size() != 1 || values.get(0).isEmpty()) {
            throw ApiException.badRequest("required query parameter '" + name + "' not set");
        }
        return values.get(0);
    }

    /** Consul's {@code [ns/]name} form; only the default namespace exists here. */
    private static String entry(String input, String what) {
        String name = input;
        int slash = input.indexOf('/');
        if (slash >= 0) {
            String ns = input.substring(0, slash);
            name = input.substring(slash + 1);
            if (name.indexOf('/') >= 0) {
                throw ApiException.badRequest(what + " \"" + input + "\" is invalid: input can contain at most one '/'");
            }
            if (!ns.equals("default")) {
                throw ApiException.badRequest(what + " \"" + input + "\" is invalid: namespaces other than default are a Consul "
                        + "Enterprise feature");
            }
        }
        return IntentionJson.name(name, what);
    }
}
