package io.hypermesh.adapters.consensus;

import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.ConsensusMember;
import io.hypermesh.events.consensus.ClusterStatus;
import io.hypermesh.events.consensus.LeaderChanged;
import io.hypermesh.events.consensus.MemberJoined;
import io.hypermesh.events.consensus.MemberLost;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.avro.specific.SpecificRecord;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Watches a real etcd cluster through its v3 JSON API: every poll asks each member for its status
 * (leader, term) and one member for the member list, and publishes what changed: the cluster status,
 * a leader change (with the term that elected it), members that join or are lost (removed from
 * the membership, or no longer answering), each with an audit record.
 */
public final class EtcdAdapter extends Adapter {
    private final String clusterId;
    private final List<String> seeds;
    private final Duration interval;
    private final Duration requestTimeout;
    private HttpClient http;
    private long timerId = -1;
    private boolean polling;

    // What the last poll saw: leader, term, members by id and which of them answered.
    private String leader;
    private long term;
    private Map<String, ConsensusMember> members = Map.of();
    private Set<String> answering = Set.of();
    private boolean seenOnce;
    private volatile ManagedComponent.Check health = new ManagedComponent.Check(CheckStatus.WARNING, 0, "not polled yet");

    public EtcdAdapter(AuditedPublisher bus, String clusterId, List<String> endpoints, Duration interval) {
        super(bus);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("the consensus adapter needs at least one etcd endpoint");
        }
        endpoints.forEach(e -> {
            URI u = URI.create(e);
            if (u.getHost() == null || u.getPort() < 0 || !"http".equals(u.getScheme())) {
                throw new IllegalArgumentException("etcd endpoint '" + e + "' is not http://host:port");
            }
        });
        this.clusterId = clusterId;
        this.seeds = List.copyOf(endpoints);
        this.interval = interval;
        this.requestTimeout = Duration.ofMillis(Math.max(200, Math.min(2_000, interval.toMillis() * 2)));
    }

    @Override
    public Future<?> start() {
        http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) requestTimeout.toMillis()).setKeepAlive(true));
        timerId = vertx.setPeriodic(0, interval.toMillis(), id -> poll());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timerId);
        return http.close();
    }

    @Override
    public ManagedComponent.Check health() {
        return health;
    }

    private record Status(String endpoint, String memberId, String leaderId, long term) {
    }

    private void poll() {
        if (polling) {
            return; // the previous poll has not finished; never pile requests onto a struggling cluster
        }
        polling = true;
        long began = System.nanoTime();
        List<String> endpoints = endpoints();
        List<Future<Status>> statuses = endpoints.stream().map(this::status).toList();
        Future.join(statuses).eventually(() -> {
            List<Status> answered = statuses.stream().filter(Future::succeeded).map(Future::result).toList();
            Future<Map<String, ConsensusMember>> list = answered.isEmpty()
                    ? Future.failedFuture("no etcd endpoint answered")
                    : memberList(answered.get(0).endpoint());
            return list.andThen(ar -> {
                double ms = (System.nanoTime() - began) / 1e6;
                observe(answered, ar.succeeded() ? ar.result() : null, ms, endpoints.size());
            });
        }).onComplete(ignored -> polling = false);
    }

    /** Configured seeds plus every client URL the member list names, so a cluster can be found from one seed. */
    private List<String> endpoints() {
        Set<String> all = new LinkedHashSet<>(seeds);
        members.values().forEach(m -> all.addAll(m.getClientUrls()));
        return new ArrayList<>(all);
    }

    private Future<Status> status(String endpoint) {
        return post(endpoint, "/v3/maintenance/status").map(j -> new Status(endpoint, hexId(j.getJsonObject("header",
                new JsonObject()).getString("member_id")),
                hexId(j.getString("leader")), parseLong(j.getString("raftTerm", j.getJsonObject("header",
                        new JsonObject()).getString("raft_term")))));
    }

    private Future<Map<String, ConsensusMember>> memberList(String endpoint) {
        return post(endpoint, "/v3/cluster/member/list").map(j -> {
            Map<String, ConsensusMember> byId = new LinkedHashMap<>();
            JsonArray list = j.getJsonArray("members", new JsonArray());
            for (int i = 0; i < list.size(); i++) {
                JsonObject m = list.getJsonObject(i);
                String id = hexId(m.getString("ID"));
                byId.put(id, new ConsensusMember(id, m.getString("name", id), strings(m.getJsonArray("peerURLs")),
                        strings(m.getJsonArray("clientURLs"))));
            }
            return byId;
        });
    }

    private Future<JsonObject> post(String endpoint, String path) {
        URI base = URI.create(endpoint);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost()).setPort(base.getPort())
                .setURI(path).setIdleTimeout(requestTimeout.toMillis()).setConnectTimeout(requestTimeout.toMillis());
        return http.request(options)
                .compose(req -> req.send(Buffer.buffer("{}")))
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : Future.failedFuture(endpoint + path + " answered " + resp.statusCode()))
                .map(Buffer::toJsonObject);
    }

    private void observe(List<Status> answered, Map<String, ConsensusMember> listed, double latencyMs, int asked) {
        if (answered.isEmpty()) {
            health = new ManagedComponent.Check(CheckStatus.CRITICAL, latencyMs, "none of " + asked + " etcd endpoints answered");
            Set<String> silent = new LinkedHashSet<>(answering);
            silent.retainAll(members.keySet());
            lose(silent, "not answering");
            answering = Set.of();
            return;
        }
        Map<String, ConsensusMember> now = listed != null ? listed : members;
        // The leader is what the members with the highest term agree on.
        long newTerm = answered.stream().mapToLong(Status::term).max().orElse(term);
        String named = answered.stream().filter(s -> s.term() == newTerm && s.leaderId() != null && !"0".equals(s.leaderId()))
                .map(Status::leaderId).findFirst().orElse(null);
        // A term has one leader: another one named at a term already seen was read before its
        // member's term moved (etcd's status reads the two apart). Believe it on a later poll.
        String newLeader = seenOnce && leader != null && named != null && !named.equals(leader) && newTerm <= term ? leader : named;
        Set<String> nowAnswering = new LinkedHashSet<>();
        answered.forEach(s -> nowAnswering.add(s.memberId()));

        boolean changed = !seenOnce || !Objects.equals(leader, newLeader) || newTerm != term || !now.keySet().equals(members.keySet())
                || !nowAnswering.equals(answering);
        if (seenOnce) {
            Set<String> gone = new LinkedHashSet<>(members.keySet());
            gone.removeAll(now.keySet());
            lose(gone, "removed from the membership");
            Set<String> silent = new LinkedHashSet<>(answering);
            silent.removeAll(nowAnswering);
            silent.retainAll(now.keySet());
            lose(silent, "not answering");
            for (String id : now.keySet()) {
                boolean added = !members.containsKey(id);
                boolean back = !added && !answering.contains(id) && nowAnswering.contains(id);
                if (added || back) {
                    ConsensusMember m = now.get(id);
                    emit(id, new MemberJoined(clusterId, m), "consensus.member-joined", m.getName(),
                            Map.of("memberId", id, "why", added ? "added to the membership" : "answering again"));
                }
            }
        }
        members = now;
        if (seenOnce && !Objects.equals(leader, newLeader)) {
            Map<String, String> details = new HashMap<>();
            details.put("term", Long.toString(newTerm));
            details.put("previousLeader", String.valueOf(leader));
            details.put("leader", String.valueOf(newLeader));
            emit(clusterId, new LeaderChanged(clusterId, leader, newLeader, newTerm), "consensus.leader-changed", clusterId, details);
        }
        leader = newLeader;
        term = newTerm;
        answering = nowAnswering;
        if (changed) {
            emit(clusterId, new ClusterStatus(clusterId, leader, term, new ArrayList<>(now.values())), "consensus.status", clusterId,
                    Map.of("leader", String.valueOf(leader), "term", Long.toString(term), "members", Integer.toString(now.size()),
                            "answering", Integer.toString(nowAnswering.size())));
        }
        seenOnce = true;
        int missing = now.size() - (int) now.keySet().stream().filter(nowAnswering::contains).count();
        health = leader == null
                ? new ManagedComponent.Check(CheckStatus.CRITICAL, latencyMs, "no leader at term " + term)
                : missing > 0
                ? new ManagedComponent.Check(CheckStatus.WARNING, latencyMs, missing + " of " + now.size()
                        + " members not answering; leader " + leader)
                : new ManagedComponent.Check(CheckStatus.PASSING, latencyMs, now.size() + " members, leader " + leader + ", term " + term);
    }

    private void lose(Set<String> ids, String why) {
        for (String id : ids) {
            ConsensusMember m = members.get(id);
            if (m != null) {
                emit(id, new MemberLost(clusterId, m), "consensus.member-lost", m.getName(), Map.of("memberId", id, "why", why));
            }
        }
    }

    private void emit(String subject, SpecificRecord payload, String action, String target, Map<String, String> details) {
        Map<String, String> withSubject = new HashMap<>(details);
        withSubject.put("subject", subject);
        publish(Topics.CONSENSUS, clusterId, payload, AuditedPublisher.Action.observed("etcd:" + clusterId, action, target, withSubject));
    }

    /** etcd's JSON gateway writes uint64 ids as decimal strings; etcdctl shows them in hex, so do we. */
    private static String hexId(String decimal) {
        if (decimal == null || decimal.isEmpty()) {
            return null;
        }
        return Long.toHexString(Long.parseUnsignedLong(decimal));
    }

    private static long parseLong(String s) {
        return s == null ? 0 : Long.parseUnsignedLong(s);
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }
}
