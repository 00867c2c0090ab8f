package io.hypermesh.streams.api.views;

import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.anomaly.AnomalyTopology;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.QueryFlags;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.stores.FoldStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The anomaly fold's views: {@code /anomalies} (every series' and workload's latest anomalies, newest first;
 * {@code ?open} for the open ones, {@code ?series=} for one subject by key or for a series name) and
 * {@code /series} (every series judged; {@code ?key=} for one, with its last points and their
 * bands). Each is a view like the others: blocking on {@code ?index}, streamed on {@code ?stream}.
 */
final class AnomalyViews {
    private final FoldStores stores;

    AnomalyViews(FoldStores stores) {
        this.stores = stores;
    }

    void mount(Routes routes, BiConsumer<Route, Function<RoutingContext, Supplier<Future<Object>>>> view) {
        view.accept(routes.get(HypermeshViews.PREFIX + "/anomalies"), ctx -> {
            boolean open = QueryFlags.flag(ctx, "open");
            String series = ctx.request().getParam("series");
            String prefix = series != null && series.endsWith("}") ? AnomalyTopology.recordsOf(series) : null;
            return () -> stores.<AnomalyRecord>scan(AnomalyTopology.RECORDS_STORE, prefix).map(records -> new ViewRendering.Scoped(
                    anomalies(records, open, series), List.of(ChangeSignal.ANOMALIES)));
        });
        view.accept(routes.get(HypermeshViews.PREFIX + "/series"), ctx -> {
            String key = ctx.request().getParam("key");
            if (key == null) {
                return () -> stores.<SeriesState>scan(AnomalyTopology.SERIES_STORE).map(all -> new ViewRendering.Scoped(seriesList(all),
                        List.of(ChangeSignal.ANOMALIES)));
            }
            return () -> stores.<SeriesState>get(AnomalyTopology.SERIES_STORE, key).compose(found -> {
                SeriesState state = found.orElseThrow(() -> ApiException.notFound("no series '" + key + "' has been judged"));
                return stores.<SeriesPoint>scan(AnomalyTopology.POINTS_STORE, AnomalyTopology.pointsOf(key)).compose(points -> stores
                        .<AnomalyRecord>scan(AnomalyTopology.RECORDS_STORE, AnomalyTopology.recordsOf(key))
                        .map(records -> new ViewRendering.Scoped(series(state, points, records), List.of(ChangeSignal.series(key)))));
            });
        });
    }

    /** A series by its key, or every series of a name ({@code link_latency_ms} names {@code link_latency_ms{link="a-b"}}). */
    private static boolean named(String key, String series) {
        return series == null || key.equals(series) || key.startsWith(series + "{");
    }

    /** The subject's latest anomalies, each open until it clears (a series' when calm again, a workload's when accepted). */
    static JsonArray anomalies(List<AnomalyRecord> records, boolean openOnly, String series) {
        List<JsonObject> found = new ArrayList<>();
        for (AnomalyRecord anomaly : records) {
            boolean open = anomaly.getClearedAt() == null;
            if (named(anomaly.getSubject(), series) && (!openOnly || open)) {
                found.add(anomaly(anomaly));
            }
        }
        found.sort(Comparator.comparing((JsonObject a) -> a.getString("OpenedAt")).reversed()
                .thenComparing(a -> a.getString("AnomalyID")));
        return new JsonArray(found);
    }

    static JsonObject anomaly(AnomalyRecord a) {
        return new JsonObject()
                .put("AnomalyID", a.getAnomalyId())
                .put("Subject", a.getSubject())
                .put("SubjectKind", a.getDetector().equals(AnomalyTopology.SERIES_DETECTOR) ? "SERIES" : "WORKLOAD")
                .put("Detector", a.getDetector())
                .put("Open", a.getClearedAt() == null)
                .put("OpenedAt", a.getOpenedAt().toString())
                .put("ClearedAt", a.getClearedAt() == null ? null : a.getClearedAt().toString())
                .put("Value", a.getValue())
                .put("ExpectedLow", a.getExpectedLow())
                .put("ExpectedHigh", a.getExpectedHigh())
                .put("Score", a.getScore())
                .put("Cause", a.getCause())
                .put("Evidence", new JsonObject(new TreeMap<String, Object>(a.getEvidence())));
    }

    static JsonArray seriesList(List<SeriesState> all) {
        JsonArray list = new JsonArray();
        for (SeriesState s : all) {
            list.add(summary(s));
        }
        return list;
    }

    private static JsonObject summary(SeriesState s) {
        return new JsonObject()
                .put("SeriesKey", s.getSeriesKey())
                .put("Points", s.getPoints())
                .put("LastAt", s.getLastAt().toString())
                .put("LastValue", s.getLastValue())
                .put("LastScore", s.getLastScore())
                .put("ExpectedLow", s.getExpectedLow())
                .put("ExpectedHigh", s.getExpectedHigh())
                .put("Min", s.getMin())
                .put("Max", s.getMax())
                .put("Anomalies", s.getAnomalies())
                .put("OpenAnomalyID", s.getOpenAnomalyId());
    }

    static JsonObject series(SeriesState state, List<SeriesPoint> ring, List<AnomalyRecord> records) {
        List<SeriesPoint> points = new ArrayList<>(ring);
        points.sort(Comparator.comparingLong(SeriesPoint::getPoint));
        JsonArray recent = new JsonArray();
        for (SeriesPoint p : points) {
            recent.add(new JsonObject()
                    .put("Point", p.getPoint())
                    .put("At", p.getAt().toString())
                    .put("Value", p.getValue())
                    .put("Score", p.getScore())
                    .put("ExpectedLow", p.getExpectedLow())
                    .put("ExpectedHigh", p.getExpectedHigh())
                    .put("AnomalyID", p.getAnomalyId()));
        }
        JsonArray anomalies = new JsonArray();
        List<AnomalyRecord> newestFirst = new ArrayList<>(records);
        Collections.reverse(newestFirst);
        for (AnomalyRecord a : newestFirst) {
            anomalies.add(anomaly(a));
        }
        return summary(state).put("Recent", recent).put("RecentAnomalies", anomalies);
    }
}
