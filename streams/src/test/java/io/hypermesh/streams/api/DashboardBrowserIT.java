package io.hypermesh.streams.api;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditContent;
import io.hypermesh.events.audit.AuditEntry;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.LifecycleTransition;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver): a service
 * registered over the API appears as a row, failing its checks turns its colour red, the phase
 * bar and the audit tail fill in, all without a page reload. Saves target/dashboard.png.
 */
@KafkaIT
public class DashboardBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static BusFixture bus;
    static StreamsApp app;
    static Http api;

    @BeforeAll
    static void start(EmbeddedKafka kafka) throws Exception {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
        api = new Http(app.url());
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    public static WebDriver chromium() {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are required (.ci/run installs them)");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900");
        ChromeDriverService service = new
                ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void aRegisteredServiceAppearsAndTurnsRedWhenItsChecksFail() throws Exception {
        String id = "ui-" + UUID.randomUUID().toString().substring(0, 6);
        String component = id + "-worker";
        WebDriver browser = chromium();
        try {
            browser.get(app.url() + "/ui/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            try {
                wait.until(b -> b.findElement(By.id("connection")).getText().equals("live"));
            } catch (org.openqa.selenium.TimeoutException e) {
                Http.Response view = api.get("/v1/hypermesh/ui/overview");
                throw new AssertionError("the dashboard did not go live; the view answers " + view.status() + " " + view.body()
                        + "; the browser shows: " + browser.getPageSource(), e);
            }
            org.openqa.selenium.JavascriptExecutor js = (org.openqa.selenium.JavascriptExecutor) browser;
            // The page shows one bounded page of everything on the bus, worst first: follow just this service.
            String service = "web-" + id;
            String setFilter = "const f = document.getElementById('filter'); f.value = arguments[0]; f.dispatchEvent(new Event('input'));";
            js.executeScript(setFilter, service);
            Object pageMark = js.executeScript("return window.hypermeshMark = Math.random();");

            Http.Response registered = api.put("/v1/agent/service/register", "{\"ID\":\"" + id + "\",\"Name\":\"" + service
                    + "\",\"Address\":\"10.9.8.7\","
                    + "\"Port\":8443,\"Check\":{\"TTL\":\"10m\"}}");
            assertEquals(200, registered.status(), registered.body());
            assertEquals(200, api.put("/v1/agent/check/pass/service:" + id, "").status());
            // A second instance with no check result yet: it has no score and must not break the view.
            assertEquals(200, api.put("/v1/agent/service/register", "{\"ID\":\"" + id + "-new\",\"Name\":\"" + service + "\",\"Port\":8444,"
                    + "\"Check\":{\"TTL\":\"10m\"}}").status());
            By row = By.cssSelector("tr[data-instance='" + id + "']");
            By badge = By.cssSelector("tr[data-instance='" + id + "'] .status");
            // The page redraws on every update: read elements inside waits, which look them up again.
            assertTrue(wait.until(b -> b.findElement(row).getText()).contains("10.9.8.7:8443"));
            assertEquals("–", wait.until(b -> b.findElement(By.cssSelector("tr[data-instance='" + id + "-new'] .score")).getText()),
                    "an instance without a check result has no score yet");
            wait.until(b -> "HEALTHY".equals(b.findElement(row).getAttribute("data-status")));
            String green = wait.until(b -> b.findElement(badge).getCssValue("background-color"));

            for (int i = 0; i < 6; i++) {
                assertEquals(200, api.put("/v1/agent/check/fail/service:" + id, "").status());
                Thread.sleep(300); // checks arrive over time, as a TTL check's verdicts do
            }
            wait.until(b -> "UNHEALTHY".equals(b.findElement(row).getAttribute("data-status")));
            String red = wait.until(b -> b.findElement(badge).getCssValue("background-color"));
            assertEquals("rgba(227, 52, 47, 1)", red, "red once unhealthy");
            assertTrue(!red.equals(green), "the colour changed from " + green);
            String points = wait.until(b -> b.findElement(By.cssSelector("tr[data-instance='" + id
                    + "'] svg.spark polyline")).getAttribute("points"));
            assertTrue(points.split(" ").length >= 2, "the sparkline shows the score falling: " + points);

            publishPhaseAndAudit(component, id);
            String auditLine = wait.until(b -> b.findElement(By.cssSelector("#audit [data-adapter='" + id + "-adapter']")).getText());
            assertTrue(auditLine.contains("container.start") && auditLine.contains(id + "-target"), auditLine);
            wait.until(b -> b.findElements(By.cssSelector(".phase")).stream().anyMatch(p -> p.getText().contains("running")));

            assertEquals(pageMark, js.executeScript("return window.hypermeshMark;"),
                    "every change arrived over server-sent events into the same page: no reload");
            // One bounded page with the counts of everything; the filter box narrows it on the server.
            assertTrue(wait.until(b -> b.findElement(By.id("counts")).getText()).matches("\\d+ instances of \\d+ services.*"),
                    "the counts line names every instance");
            js.executeScript(setFilter, "no-such-service-" + id);
            wait.until(b -> b.findElement(By.id("instances")).getText().contains("no service matches"));
            assertTrue(browser.findElements(row).isEmpty(), "the filtered page leaves the instance out");
            js.executeScript(setFilter, service.toUpperCase(java.util.Locale.ROOT));
            assertTrue(wait.until(b -> b.findElement(row).getText()).contains("10.9.8.7:8443"),
                    "a filter matches service names ignoring case");

            screenshot(browser, "dashboard.png");
        } finally {
            browser.quit();
        }
    }

    static WebDriverWait waitOn(WebDriver browser) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    static void screenshot(WebDriver browser, String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path saved = Path.of("target", name);
        Files.copy(shot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(saved) > 10_000, "a real screenshot");
    }

    /** The panels beside the instances: event flow with propagation, phases by name with their components, dead letters, schemas. */
    @Test
    void theFlowPhasesDeadLettersAndSchemasPanelsFollowTheBus() throws Exception {
        String id = "panel-" + UUID.randomUUID().toString().substring(0, 6);
        WebDriver browser = chromium();
        try {
            browser.get(app.url() + "/ui/");
            WebDriverWait wait = waitOn(browser);
            wait.until(b -> b.findElement(By.id("connection")).getText().equals("live"));
            // Registrations flow through the registry fold: its row shows a rate and its propagation a p99.
            for (int i = 0; i < 5; i++) {
                assertEquals(200, api.put("/v1/agent/service/register", "{\"ID\":\"" + id + "-" + i + "\",\"Name\":\"" + id
                        + "\",\"Port\":80}").status());
            }
            By registryRate = By.cssSelector("#flow tr[data-topic='" + Topics.REGISTRY.name() + "'] .rate");
            wait.until(b -> Double.parseDouble(b.findElement(registryRate).getText()) > 0);
            String p99 = wait.until(b -> b.findElement(By.cssSelector("#propagation [data-fold='registry']")).getText());
            assertTrue(p99.matches("propagation p99 \\(registry\\): (≤ [0-9.]+ ms|> 60 s|–) over \\d+ applied in \\d+ s"), p99);
            wait.until(b -> b.findElement(By.cssSelector("#propagation [data-fold='registry']")).getText().contains("≤"));
            assertTrue(wait.until(b -> b.findElement(By.cssSelector("#flow tr[data-topic='" + Topics.REGISTRY.name()
                    + "'] .lag")).getText())
                    .matches("\\d+|–"), "a lag figure per topic");

            // A record that does not decode: its topic, partition and offset, and the count of its reason.
            int undecodableBefore = Integer.parseInt(wait.until(b ->
                    b.findElement(By.cssSelector("[data-reason='undecodable'] b")).getText()));
            long offset;
            try (org.apache.kafka.clients.producer.KafkaProducer<byte[],
                    byte[]> raw = new org.apache.kafka.clients.producer.KafkaProducer<>(
                    bus.kafka.clientConfig(), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                offset = raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.HEALTH_CHECKS.name(), 0, id.getBytes(),
                        "no avro here".getBytes())).get().offset();
            }
            By letter = By.cssSelector("#deadletters .letter[data-topic='" + Topics.HEALTH_CHECKS.name()
                    + "'][data-partition='0'][data-offset='"
                    + offset + "']");
            String line = wait.until(b -> b.findElement(letter).getText());
            assertTrue(line.contains(Topics.HEALTH_CHECKS.name() + "-0@" + offset) && line.contains("undecodable (deserialize)"), line);
            wait.until(b ->
                    Integer.parseInt(b.findElement(By.cssSelector("[data-reason='undecodable'] b")).getText()) == undecodableBefore + 1);

            // The bus's own subjects, with their versions.
            String subject = Topics.REGISTRY.name() + "-value";
            assertTrue(wait.until(b -> b.findElement(By.cssSelector("#schemas tr[data-subject='" + subject
                    + "']")).getText()).matches(".*\\d+"));

            // A phase by the name the coordinator reports, its run's state and duration, and its component.
            publishPhaseAndAudit(id + "-worker", id);
            try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
                EventSource coordinator = new EventSource("coordinator", ComponentKind.COORDINATOR);
                writer.publish(Topics.LIFECYCLE, "phase-6", io.hypermesh.schemas.events.Envelopes.wrap(Topics.LIFECYCLE,
                        UUID.randomUUID().toString(),
                        coordinator, Instant.now().minusSeconds(90), new io.hypermesh.events.lifecycle.PhaseProgress(6,
                                "Application Services", 0, 1,
                                io.hypermesh.events.lifecycle.PhaseState.RUNNING))).get();
                writer.publish(Topics.LIFECYCLE, "phase-6", io.hypermesh.schemas.events.Envelopes.wrap(Topics.LIFECYCLE,
                        UUID.randomUUID().toString(),
                        coordinator, Instant.now(), new io.hypermesh.events.lifecycle.PhaseProgress(6, "Application Services", 1, 1,
                                io.hypermesh.events.lifecycle.PhaseState.COMPLETED))).get();
            }
            By phase = By.cssSelector(".phase[data-phase='6']");
            // The components alone already make it look complete: wait for the coordinator's report, by its name.
            String phaseText = wait.until(b -> {
                String text = b.findElement(phase).getText();
                return text.contains("Application Services") ? text : null;
            });
            assertEquals("COMPLETED", browser.findElement(phase).getAttribute("data-state"));
            assertTrue(phaseText.contains("6. Application Services") && phaseText.contains("1 min 30 s"), phaseText);
            assertEquals("100", browser.findElement(phase).getAttribute("data-progress"));
            assertEquals("RUNNING", wait.until(b -> b.findElement(By.cssSelector("#components tr[data-component='" + id + "-worker']"))
                    .getAttribute("data-state")), "the component's own state");
            screenshot(browser, "dashboard-panels.png");
        } finally {
            browser.quit();
        }
    }

    /** A page of 1,000 instances is laid out within a second of its message (the page times itself). */
    @Test
    void aThousandInstancesRenderWithinASecond() throws Exception {
        String service = "many-" + UUID.randomUUID().toString().substring(0, 6);
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            EventSource source = new EventSource("dashboard-it", ComponentKind.SERVICE);
            List<java.util.concurrent.CompletableFuture<?>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                String instance = service + "-" + i;
                sent.add(writer.publish(Topics.REGISTRY, instance, io.hypermesh.schemas.events.Envelopes.wrap(Topics.REGISTRY, source,
                        io.hypermesh.events.registry.ServiceRegistered.newBuilder().setInstanceId(instance).setServiceName(service)
                                .setEndpoint(new io.hypermesh.events.Endpoint("10.0." + (i / 250) + "." + (i % 250), 8080, "tcp"))
                                .setTags(List.of("t" + (i % 7))).setWeights(new io.hypermesh.events.registry.Weights(1, 1))
                                .setMetadata(Map.of()).setTtlMs(0).build())));
            }
            java.util.concurrent.CompletableFuture.allOf(sent.toArray(new java.util.concurrent.CompletableFuture[0])).get();
        }
        WebDriver browser = chromium();
        try {
            browser.get(app.url() + "/ui/?limit=1000");
            WebDriverWait wait = waitOn(browser);
            org.openqa.selenium.JavascriptExecutor js = (org.openqa.selenium.JavascriptExecutor) browser;
            js.executeScript("const f = document.getElementById('filter'); f.value = arguments[0]; f.dispatchEvent(new "
                    + "Event('input'));", service);
            wait.until(b -> b.findElements(By.cssSelector("#instances tr[data-service='" + service + "']")).size() == 1_000);
            // Every render of the full page, not just the last: the slowest counts.
            List<Double> times = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Object renders = js.executeScript("return document.body.dataset.renders;");
                assertEquals(200, api.put("/v1/agent/service/register", "{\"ID\":\"" + service + "-extra-" + i + "\",\"Name\":\"" + service
                        + "\",\"Port\":81}").status());
                wait.until(b -> !String.valueOf(js.executeScript("return document.body.dataset.renders;")).equals(String.valueOf(renders)));
                times.add(Double.parseDouble(String.valueOf(js.executeScript("return document.body.dataset.renderMs;"))));
            }
            assertEquals(1_000, browser.findElements(By.cssSelector("#instances tr[data-service='" + service + "']")).size(),
                    "a page of 1,000");
            double slowest = times.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            System.out.println("dashboard render of 1,000 instances, ms: " + times);
            assertTrue(slowest < 1_000, "rendered in " + times + " ms");
            screenshot(browser, "dashboard-1000.png");
        } finally {
            browser.quit();
        }
    }

    /** A component starting in phase 6 and an audit record, as the coordinator and an adapter would write them. */
    static void publishPhaseAndAudit(String component, String id) throws Exception {
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            for (LifecycleState[] step : List.of(new LifecycleState[]{LifecycleState.UNINITIALIZED, LifecycleState.STARTING},
                    new LifecycleState[]{LifecycleState.STARTING, LifecycleState.RUNNING})) {
                LifecycleEvent event = LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setSource(new EventSource(component, ComponentKind.SERVICE)).setOccurredAt(Instant.now()).setTraceId(null)
                        .setPayload(new LifecycleTransition(component, 6, step[0], step[1], null, null)).build();
                writer.publish(Topics.LIFECYCLE.name(), component, event).get();
            }
            // As adapters write it (format 2): what it says is in its content bytes.
            AuditEntry record = new AuditEntry(2, id + "-adapter", 1L, AuditContent.getEncoder().encode(new AuditContent(id
                    + "-adapter", 1L,
                    "docker:/run/docker.sock", "container.start", id + "-target", AuditOutcome.OBSERVED, Map.of())),
                            ByteBuffer.wrap(new byte[32]));
            AuditEvent audit = AuditEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setSource(new EventSource(id + "-adapter", ComponentKind.ADAPTER)).setOccurredAt(Instant.now()).setTraceId(null)
                    .setPayload(record).build();
            writer.publish(Topics.AUDIT.name(), id + "-adapter", audit).get();
        }
    }
}
