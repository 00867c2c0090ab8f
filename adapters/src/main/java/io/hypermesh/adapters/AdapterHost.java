package io.hypermesh.adapters;

import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.audit.AuditOutcome;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs one adapter as a managed platform component: an audited publisher for its events, the
 * adapter verticle deployed when the component is started (by the coordinator, or at once), a
 * heartbeat with the adapter's health, and audit records for its own start and stop.
 */
public final class AdapterHost implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdapterHost.class);
    private final AuditedPublisher bus;
    private final Vertx vertx;
    private final Adapter adapter;
    private final ManagedComponent component;
    private volatile String deployment;

    private AdapterHost(AuditedPublisher.Settings settings, int phase, Function<AuditedPublisher, Adapter> factory,
                        Duration heartbeat, boolean startNow) {
        this.bus = AuditedPublisher.open(settings);
        this.vertx = Vertx.vertx();
        this.adapter = factory.apply(bus);
        this.component = new ManagedComponent(settings.adapterId(), settings.kind(), phase, settings.kafka(),
                settings.registry(), new ManagedComponent.Behaviour() {
                    @Override
                    public void start() throws Exception {
                        deployment = vertx.deployVerticle(adapter).await(30, TimeUnit.SECONDS);
                        bus.audit(own("adapter.start", AuditOutcome.SUCCESS)).get(30, TimeUnit.SECONDS);
                    }

                    @Override
                    public void stop() throws Exception {
                        String id = deployment;
                        deployment = null;
                        if (id != null) {
                            vertx.undeploy(id).await(30, TimeUnit.SECONDS);
                        }
                        bus.audit(own("adapter.stop", AuditOutcome.SUCCESS)).get(30, TimeUnit.SECONDS);
                    }
                }, adapter::health, heartbeat);
        if (startNow) {
            component.startNow();
        }
    }

    /**
     * Opens the adapter's publisher (continuing its audit trail), announces it, and starts it at once
     * when {@code startNow}, else when the coordinator says START.
     */
    public static AdapterHost run(AuditedPublisher.Settings settings, int phase, Function<AuditedPublisher, Adapter> factory,
                                  Duration heartbeat, boolean startNow) {
        return new AdapterHost(settings, phase, factory, heartbeat, startNow);
    }

    private AuditedPublisher.Action own(String action, AuditOutcome outcome) {
        return new AuditedPublisher.Action(bus.adapterId(), action, bus.adapterId(), outcome, Map.of("class",
                adapter.getClass().getSimpleName()));
    }

    public ManagedComponent component() {
        return component;
    }

    public AuditedPublisher publisher() {
        return bus;
    }

    @Override
    public void close() {
        try {
            if (deployment != null) {
                vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
                bus.audit(own("adapter.stop", AuditOutcome.SUCCESS));
            }
        } catch (Exception e) {
            // The component and publisher are closed all the same; the trail's final checkpoint is still written.
            LOG.warn("{} did not stop cleanly: {}", bus.adapterId(), e.toString());
        } finally {
            component.close();
            try {
                vertx.close().await(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // The event loops are daemon threads: closing the publisher matters more.
                LOG.warn("{}: Vert.x did not close within 30 s", bus.adapterId());
            }
            bus.close();
        }
    }
}
