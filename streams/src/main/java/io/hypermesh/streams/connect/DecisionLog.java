package io.hypermesh.streams.connect;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.connect.AuthorizationDecided;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Authorization decisions as events on {@code hypermesh.decisions} (as OPA's decision logs): all of
 * them, a sample, or denials only. A decision never waits for Kafka: it is handed to one thread
 * with a bounded queue, and one that does not fit is dropped and counted, so a slow or absent
 * broker costs authorize nothing.
 */
public final class DecisionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);
    static final int QUEUE = 10_000;

    /** Which decisions are logged. */
    public record Mode(String name, double allowShare, double denyShare) {
        public static final Mode OFF = new Mode("off", 0, 0);
        public static final Mode ALL = new Mode("all", 1, 1);
        public static final Mode DENIALS = new Mode("denials", 0, 1);

        /** {@code off}, {@code all}, {@code denials}, or {@code sample:<share>} (every denial and that share of the rest). */
        public static Mode parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "off":
                    return OFF;
                case "all":
                    return ALL;
                case "denials":
                    return DENIALS;
                default:
                    if (t.startsWith("sample:")) {
                        try {
                            double share = Double.parseDouble(t.substring(7));
                            if (share > 0 && share <= 1) {
                                return new Mode(t, share, 1);
                            }
                        } catch (NumberFormatException e) {
                            // Refused below.
                        }
                    }
                    throw new IllegalArgumentException("decisions must be off, all, denials or sample:<share in (0, 1]>, was '"
                            + text + "'");
            }
        }
    }

    private final Mode mode;
    private final BusPublisher writer;
    private final EventSource source;
    private final ThreadPoolExecutor sender;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong logged = new AtomicLong();

    public DecisionLog(Mode mode, BusPublisher writer, String nodeName) {
        this.mode = mode;
        this.writer = writer;
        this.source = new EventSource(nodeName, ComponentKind.STREAMS);
        this.sender = mode == Mode.OFF ? null : new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "decision-log");
                    t.setDaemon(true);
                    return t;
                }, (r, pool) -> dropped.incrementAndGet());
    }

    public long dropped() {
        return dropped.get();
    }

    public long logged() {
        return logged.get();
    }

    /** Logs the decision if the mode takes it; returns at once. */
    public void record(String destination, String clientCertUri, String clientCertSerial, SpiffeId client, IntentionBook.Decision d,
                       String layer, String method, String path) {
        double share = d.allowed() ? mode.allowShare() : mode.denyShare();
        if (sender == null || share <= 0 || (share < 1 && ThreadLocalRandom.current().nextDouble() >= share)) {
            return;
        }
        Intention hit = d.intention();
        AuthorizationDecided decided = new AuthorizationDecided(destination, client.service(), clientCertUri, clientCertSerial,
                d.allowed(), d.reason(), layer, hit == null ? null : hit.reference(),
                hit == null ? null : hit.toString(), method, path, share);
        sender.execute(() -> {
            try {
                writer.publish(Topics.DECISIONS, destination, Envelopes.wrap(Topics.DECISIONS, source, decided)).whenComplete((m, e) -> {
                    if (e != null) {
                        dropped.incrementAndGet();
                        LOG.debug("a decision was not logged: {}", e.toString());
                    } else {
                        logged.incrementAndGet();
                    }
                });
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
                LOG.debug("a decision was not logged: {}", e.toString());
            }
        });
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
    }
}
