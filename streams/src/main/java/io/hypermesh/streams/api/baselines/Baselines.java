package io.hypermesh.streams.api.baselines;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.BaselineAction;
import io.hypermesh.events.anomaly.BaselineChanged;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.WorkloadState;
import io.hypermesh.streams.anomaly.AnomalyTopology;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Callers;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.stores.FoldStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.TreeMap;

/**
 * Workload behaviour baselines, under our own prefix: {@code GET /workloads} lists them,
 * {@code GET /workloads/baseline?workload=} shows one (what it learned, what was flagged and waits),
 * and {@code PUT /workloads/lock|unlock|accept?workload=} (with {@code &behaviour=} to accept) records
 * a person's decision as a {@link BaselineChanged} event on {@code hypermesh.anomalies}, naming who took it;
 * the anomaly fold applies it. Writes need a credential where the API asks for one.
 */
public final class Baselines {
    static final String PREFIX = Responses.HYPERMESH_PREFIX + "/workloads";
    /** Longest workload name or behaviour taken: both are store keys and dashboard text. */
    static final int MAX_CHARS = 1_024;

    private final FoldStores stores;
    private final BusPublisher writer;
    private final EventSource source;

    public Baselines(FoldStores stores, BusPublisher writer, String nodeName) {
        this.stores = stores;
        this.writer = writer;
        this.source = new EventSource(nodeName, ComponentKind.STREAMS);
    }

    public void mount(Routes routes) {
        routes.get(PREFIX).handler(ctx -> stores.<WorkloadState>scan(AnomalyTopology.WORKLOADS_STORE)
                .map(all -> {
                    JsonArray list = new JsonArray();
                    all.forEach(w -> list.add(summary(w)));
                    return list;
                }).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail));
        routes.get(PREFIX + "/baseline").handler(ctx -> {
            String workload = required(ctx, "workload");
            stores.<WorkloadState>get(AnomalyTopology.WORKLOADS_STORE, workload).map(found -> {
                WorkloadState w = found.orElseThrow(() -> ApiException.notFound("no workload '" + workload + "' has been seen"));
                return summary(w).put("Behaviours", new JsonArray(w.getBehaviours()))
                        .put("Flagged", new JsonObject(new TreeMap<String, Object>(w.getOpen())));
            }).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
        });
        for (BaselineAction action : BaselineAction.values()) {
            routes.put(PREFIX + "/" + action.name().toLowerCase(Locale.ROOT)).handler(ctx -> decide(ctx, action));
        }
    }

    private void decide(RoutingContext ctx, BaselineAction action) {
        String workload = required(ctx, "workload");
        String behaviour = action == BaselineAction.ACCEPT ? required(ctx, "behaviour") : null;
        BaselineChanged change = new BaselineChanged(workload, action, behaviour, Callers.who(ctx));
        AnomalyEvent event = Envelopes.wrap(Topics.ANOMALIES, source, change);
        Future.fromCompletionStage(writer.publish(Topics.ANOMALIES, workload, event))
                .onSuccess(written -> Responses.json(ctx, 200, new JsonObject().put("Workload", workload).put("Action", action.name())
                        .put("Behaviour", behaviour).put("By", change.getBy()).put("EventID", event.getEventId())))
                .onFailure(ctx::fail);
    }

    private static String required(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("?" + name + "= is required");
        }
        if (value.length() > MAX_CHARS || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("?" + name + "= must be at most " + MAX_CHARS + " characters, none of them a control character");
        }
        return value;
    }

    private static JsonObject summary(WorkloadState w) {
        boolean learning = !w.getLocked() && (w.getUnlocked() || w.getLastAt().isBefore(w.getLearnUntil()));
        return new JsonObject()
                .put("Workload", w.getWorkload())
                .put("State", w.getLocked() ? "LOCKED" : w.getUnlocked() ? "UNLOCKED" : learning ? "LEARNING" : "LEARNED")
                .put("FirstAt", w.getFirstAt().toString())
                .put("LearnUntil", w.getLearnUntil().toString())
                .put("LastAt", w.getLastAt().toString())
                .put("Learned", w.getLearned())
                .put("Flagged", w.getFlagged())
                .put("Open", w.getOpen().size())
                .put("Unflagged", w.getUnflagged());
    }
}
