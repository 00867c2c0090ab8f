package io.hypermesh.streams;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Rings when a queryable table of this instance changed, so blocking queries re-render at once
 * instead of on their next poll. A change names its scope (a service, a health component) where it
 * has one, so a watcher of one service is not woken by every other service's registrations.
 * The changes this instance applies are also kept in a short log ({@link #since}), which other
 * instances follow to ring them on their side ({@link #ringFromPeer}): a watcher anywhere wakes when
 * the instance owning the change applies it.
 */
public final class ChangeSignal {
    /** Listeners of every change. */
    private final Set<Listener> anyChange = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Set<Listener>> byScope = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong unscoped = new AtomicLong();
    /** Changes per scope, striped by hash so the count of scopes ever seen does not matter. */
    private final AtomicLongArray stripes = new AtomicLongArray(1024);

    /** Every health score: the scope of views listing them. */
    public static final String HEALTH = "health";
    /** Every component's lifecycle state: the scope of views listing them. */
    public static final String LIFECYCLE = "lifecycle";
    /** The phase counts. */
    public static final String PHASES = "lifecycle-phases";

    /** Every anomaly opened or cleared: the scope of the anomaly list. */
    public static final String ANOMALIES = "anomalies";

    /** The scope of one workload's baseline. */
    public static String workload(String workload) {
        return "workload:" + workload;
    }

    /** The scope of one series' view: it changes at every point. */
    public static String series(String seriesKey) {
        return "series:" + seriesKey;
    }

    /** The scope of a health component's score. */
    public static String health(String componentId) {
        return "health:" + componentId;
    }

    /** The scope of one component's lifecycle state. */
    public static String lifecycle(String componentId) {
        return "lifecycle:" + componentId;
    }

    /** Local changes kept for peers that follow this instance: a follower further behind is told "everything". */
    private static final int LOG_SIZE = 8_192;
    /** At most this many scopes in one answer to a follower; more, and it is told "everything". */
    private static final int MOST_SCOPES = 1_000;
    private final String[] log = new String[LOG_SIZE]; // a null entry is an unscoped change
    private long logged; // local changes ever logged; guarded by log

    /**
     * The local changes after {@code after} (a value of {@link Since#end} from before): their scopes,
     * or {@code all} when some were unscoped, are no longer kept or are too many to list. With a
     * negative {@code after} only where the log ends now, to follow from.
     */
    public record Since(long end, java.util.List<String> scopes, boolean all) {
        public boolean empty() {
            return !all && scopes.isEmpty();
        }
    }

    public Since since(long after) {
        synchronized (log) {
            if (after < 0 || after >= logged) {
                return new Since(logged, java.util.List.of(), false);
            }
            if (logged - after > LOG_SIZE) {
                return new Since(logged, java.util.List.of(), true);
            }
            java.util.Set<String> scopes = new java.util.LinkedHashSet<>();
            for (long i = after; i < logged; i++) {
                String scope = log[(int) (i % LOG_SIZE)];
                if (scope == null || (scopes.add(scope) && scopes.size() > MOST_SCOPES)) {
                    return new Since(logged, java.util.List.of(), true);
                }
            }
            return new Since(logged, java.util.List.copyOf(scopes), false);
        }
    }

    private void logLocal(String scope) {
        synchronized (log) {
            log[(int) (logged % LOG_SIZE)] = scope;
            logged++;
        }
    }

    /** How many changes rang so far: a rendered view is still current while this has not moved. */
    public long version() {
        return version.get();
    }

    /**
     * A number that moves whenever something in {@code scopes} (everything when null) changed:
     * compared before and after rendering a view, it says whether the view may be stale already.
     * (Scopes sharing a stripe can move it too: a needless render, never a missed one.)
     */
    public long stamp(Collection<String> scopes) {
        if (scopes == null) {
            return version.get();
        }
        long sum = unscoped.get();
        for (String scope : scopes) {
            sum += stripes.get(stripe(scope));
        }
        return sum;
    }

    private int stripe(String scope) {
        return (scope.hashCode() & Integer.MAX_VALUE) % stripes.length();
    }

    /** A change without a scope: wakes every listener. */
    public void ring() {
        logLocal(null);
        fireAll();
    }

    /** A change within one scope: wakes the listeners of that scope and of any change. */
    public void ring(String scope) {
        logLocal(scope);
        fire(scope);
    }

    /**
     * Changes another instance applied, as its {@link #since} told them (all when {@code scopes} is
     * null): they wake the watchers here, and are not logged, so they are not passed back.
     */
    public void ringFromPeer(Collection<String> scopes) {
        if (scopes == null) {
            fireAll();
        } else {
            scopes.forEach(this::fire);
        }
    }

    private void fireAll() {
        unscoped.incrementAndGet();
        version.incrementAndGet();
        anyChange.forEach(Listener::fire);
        byScope.values().forEach(listeners -> listeners.forEach(Listener::fire));
    }

    private void fire(String scope) {
        stripes.incrementAndGet(stripe(scope));
        version.incrementAndGet();
        anyChange.forEach(Listener::fire);
        Set<Listener> listeners = byScope.get(scope);
        if (listeners != null) {
            listeners.forEach(Listener::fire);
        }
    }

    /** Runs {@code listener} once, on the next change; the returned handle cancels it. */
    public Runnable onNextChange(Runnable listener) {
        return onNextChange(null, listener);
    }

    /**
     * Runs {@code listener} once, on the next change in one of {@code scopes} (any change when
     * null) or an unscoped change; the returned handle cancels it.
     */
    public Runnable onNextChange(Collection<String> scopes, Runnable listener) {
        Listener l = new Listener(scopes, listener);
        if (scopes == null) {
            anyChange.add(l);
        } else {
            for (String scope : scopes) {
                // Added inside compute: a set is never dropped between being found and added to.
                byScope.compute(scope, (s, set) -> {
                    Set<Listener> listeners = set != null ? set : ConcurrentHashMap.newKeySet();
                    listeners.add(l);
                    return listeners;
                });
            }
        }
        return l::remove;
    }

    /** Scopes someone is waiting on now: for tests, that fired and cancelled listeners leave nothing behind. */
    int scopesWaitedOn() {
        return byScope.size() + (anyChange.isEmpty() ? 0 : 1);
    }

    private final class Listener {
        private final Collection<String> scopes;
        private final Runnable action;
        private final AtomicBoolean done = new AtomicBoolean();

        Listener(Collection<String> scopes, Runnable action) {
            this.scopes = scopes;
            this.action = action;
        }

        void fire() {
            if (done.compareAndSet(false, true)) {
                unregister();
                action.run();
            }
        }

        void remove() {
            done.set(true);
            unregister();
        }

        private void unregister() {
            if (scopes == null) {
                anyChange.remove(this);
                return;
            }
            for (String scope : scopes) {
                // Drop a scope's set once empty, so scopes of departed watchers do not pile up.
                byScope.computeIfPresent(scope, (s, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}
