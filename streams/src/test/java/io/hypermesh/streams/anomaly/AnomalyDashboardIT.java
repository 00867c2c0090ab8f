package io.hypermesh.streams.anomaly;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.streams.api.DashboardBrowserIT;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's anomaly panel in a real headless Chromium: a link's latency step shows as an open
 * anomaly within a second of the step's first event, with the series' chart, its band and the
 * anomalous point marked; once it clears, the row goes. Saves target/dashboard-anomaly.png.
 */
@KafkaIT
class AnomalyDashboardIT {
    static BusFixture bus;
    static StreamsApp app;

    @BeforeAll
    static void start(EmbeddedKafka kafka) throws Exception {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    @Test
    void aLatencyStepShowsAsAnOpenAnomalyWithItsChartWithinASecond() throws Exception {
        String link = "ui-" + UUID.randomUUID().toString().substring(0, 8);
        String series = SeriesKeys.of("link_latency_ms", Map.of("link", link, "node", "a", "peer", "b"));
        WebDriver browser = DashboardBrowserIT.chromium();
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            browser.get(app.url() + "/ui/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            wait.until(b -> b.findElement(By.id("connection")).getText().equals("live"));
            AnomalyIT.telemetry(writer, link, 0, 400, 10);
            io.hypermesh.platform.testing.Http api = new io.hypermesh.platform.testing.Http(app.url());
            io.hypermesh.streams.testing.Eventually.until(() -> api.get("/v1/hypermesh/series?key="
                    + java.net.URLEncoder.encode(series, java.nio.charset.StandardCharsets.UTF_8)),
                    r -> r.status() == 200 && r.json().get("Points").asLong() == 400, Duration.ofSeconds(60), "400 points judged");

            long stepSent = System.nanoTime();
            AnomalyIT.telemetry(writer, link, 400, 401, 30);
            By row = By.cssSelector("#anomalies tr[data-subject='" + series.replace("'", "\\'") + "']");
            new WebDriverWait(browser, Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(20))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(b -> !b.findElements(row).isEmpty());
            double seen = (System.nanoTime() - stepSent) / 1e9;
            assertTrue(seen < 1.0, "the open anomaly showed " + seen + " s after the step's first event");
            assertTrue(wait.until(b -> b.findElement(row).getText()).contains("never made before"));
            // The chart follows the newest open anomaly: its band, its line and the point that opened it, marked.
            wait.until(b -> series.equals(b.findElement(By.id("series-chart")).getAttribute("data-series"))
                    && Integer.parseInt(b.findElement(By.id("series-chart")).getAttribute("data-anomalous")) >= 1);
            assertEquals(1, browser.findElements(By.cssSelector("#series-chart polygon.band")).size());
            assertEquals(1, browser.findElements(By.cssSelector("#series-chart polyline.value")).size());
            assertTrue(browser.findElements(By.cssSelector("#series-chart circle.anomalous")).stream()
                    .anyMatch(c -> "401".equals(c.getAttribute("data-point"))), "the step's point is marked");
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, Path.of("target", "dashboard-anomaly.png"), StandardCopyOption.REPLACE_EXISTING);

            AnomalyIT.telemetry(writer, link, 401, 440, 30);
            wait.until(b -> b.findElements(row).isEmpty());
        } finally {
            browser.quit();
        }
    }
}
