package io.hypermesh.testkit;

import io.hypermesh.bus.HyperMeshBus;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The test kit as a user's test run meets it: classes run through JUnit's own launcher, each with a
 * bus of its own or one shared, on free ports, with nothing left behind once the run ends.
 */
class HyperMeshExtensionIT {
    /** What each fixture class saw: its name, to the bus's API URL and data folder. */
    static final Map<String, String> API = new ConcurrentHashMap<>();
    static final Map<String, Path> DATA = new ConcurrentHashMap<>();

    @Test
    void eachClassGetsItsOwnBusOnFreePortsAndNothingIsLeftBehind() throws Exception {
        Set<String> threadsBefore = threadNames();
        assertPassed(run(OwnBusA.class, OwnBusB.class), 3);

        assertNotEquals(API.get("OwnBusA"), API.get("OwnBusB"), "a bus per class");
        for (String url : List.of(API.get("OwnBusA"), API.get("OwnBusB"))) {
            int port = URI.create(url).getPort();
            assertTrue(port > 0 && port != 8500, "a free port, not Consul's: " + url);
            try (ServerSocket again = new ServerSocket(port)) {
                assertTrue(again.isBound(), "the port is free again after the class");
            }
        }
        for (String fixture : List.of("OwnBusA", "OwnBusB")) {
            assertFalse(Files.exists(DATA.get(fixture)), "the data folder is deleted: " + DATA.get(fixture));
        }
        assertNoThreadsLeftBeyond(threadsBefore);
    }

    @Test
    void sharedClassesGetOneBusForTheRun() throws Exception {
        assertPassed(run(SharedBusC.class, SharedBusD.class), 2);
        assertEquals(API.get("SharedBusC"), API.get("SharedBusD"), "one bus for both");
        assertFalse(Files.exists(DATA.get("SharedBusC")), "stopped and deleted when the run ended");
    }

    /** A class with its own bus, using every helper. */
    @HyperMeshTest
    static class OwnBusA {
        @Test
        void registersAServiceAndSeesItPassing(TestBus bus, ConsulApi consul) throws Exception {
            API.put("OwnBusA", bus.endpoints().apiUrl());
            DATA.put("OwnBusA", bus.dataDir());
            consul.register("{\"ID\":\"pay-1\",\"Name\":\"payments\",\"Port\":9000,\"Check\":{\"TTL\":\"30s\"}}");
            consul.put("/v1/agent/check/pass/service:pay-1", "").ok();
            assertEquals(List.of("pay-1"), bus.awaitPassing("payments", 1, Duration.ofSeconds(30)));
        }

        @Test
        void publishesAnEventAndReadsItBack(TestBus bus, BusPublisher publisher) throws Exception {
            MetricEvent sample = Envelopes.wrap(Topics.METRICS, new EventSource("test", ComponentKind.SERVICE),
                    new MetricSample("queue_depth", Map.of("queue", "orders"), 7.0));
            publisher.publish(Topics.METRICS, "queue_depth{queue=\"orders\"}", sample).get();
            MetricEvent seen = bus.awaitEvent(Topics.METRICS, e -> e.getEventId().equals(sample.getEventId()), Duration.ofSeconds(30));
            assertEquals(7.0, ((MetricSample) seen.getPayload()).getValue());
            assertTrue(bus.events(Topics.METRICS).stream().anyMatch(e -> e.getEventId().equals(sample.getEventId())));
        }
    }

    @HyperMeshTest
    static class OwnBusB {
        @Test
        void seesNothingOfTheOtherClass(HyperMeshBus.Endpoints endpoints, ConsulApi consul) {
            API.put("OwnBusB", endpoints.apiUrl());
            DATA.put("OwnBusB", Path.of(System.getProperty("java.io.tmpdir"), "none"));
            assertEquals("[]", consul.get("/v1/health/service/payments").ok().strip());
        }
    }

    @HyperMeshTest(shared = true)
    static class SharedBusC {
        @Test
        void registers(TestBus bus, ConsulApi consul) throws Exception {
            API.put("SharedBusC", bus.endpoints().apiUrl());
            DATA.put("SharedBusC", bus.dataDir());
            consul.register("{\"ID\":\"c-1\",\"Name\":\"shared\",\"Port\":1}");
            bus.awaitPassing("shared", 1, Duration.ofSeconds(30));
        }
    }

    @HyperMeshTest(shared = true)
    static class SharedBusD {
        @Test
        void seesWhatTheOtherSharedClassRegistered(TestBus bus) throws Exception {
            API.put("SharedBusD", bus.endpoints().apiUrl());
            bus.awaitPassing("shared", 1, Duration.ofSeconds(30));
        }
    }

    /** How a run of fixture classes ended; not JUnit's summary, which holds on to the run's test plan and all it reaches. */
    private record Outcome(long succeeded, long failed, String failures) {
    }

    private static Outcome run(Class<?>... classes) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request().selectors(java.util.Arrays.stream(classes).map(c -> selectClass(c)).toList()).build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        StringWriter failures = new StringWriter();
        summary.printFailuresTo(new PrintWriter(failures), 30);
        return new Outcome(summary.getTestsSucceededCount(), summary.getTotalFailureCount(), failures.toString());
    }

    private static void assertPassed(Outcome outcome, long tests) {
        assertEquals(tests, outcome.succeeded(), outcome.failures());
        assertEquals(0, outcome.failed(), outcome.failures());
    }

    /**
     * Threads started while the buses ran that still live: none may, but those the JDK keeps for
     * itself, once unreachable HTTP clients are collected.
     */
    private static void assertNoThreadsLeftBeyond(Set<String> before) throws InterruptedException {
        Set<String> left = Set.of();
        for (int i = 0; i < 50; i++) {
            System.gc();
            left = threadNames().stream().filter(n -> !before.contains(n)).filter(n -> !JDK_THREADS.matcher(n).matches())
                    .collect(Collectors.toSet());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("threads left behind: " + left);
    }

    private static final java.util.regex.Pattern JDK_THREADS = java.util.regex.Pattern.compile(
            "ForkJoinPool\\.commonPool-worker-\\d+|process reaper|Attach Listener|Common-Cleaner|Keep-Alive-Timer");

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toSet());
    }
}
