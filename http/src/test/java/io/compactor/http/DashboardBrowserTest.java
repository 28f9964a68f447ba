package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless browser (Debian's chromium and chromium-driver, driven by
 * Selenium), on a node behind {@code http_auth_password}: the page asks for the password, then
 * shows the running compaction (held mid-merge) with its progress, the tablet's explain text when
 * the tablet is clicked, and a cancel button that works. A screenshot goes to
 * {@code target/dashboard.png}. Without the browser the test is skipped, unless
 * {@code COMPACTOR_REQUIRE_BROWSER=true} (as {@code .ci/run} sets it), where it fails.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PASSWORD = "dashboard-secret";

    @TempDir
    Path dir;

    private OperatorFixture f;
    private WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (f != null) {
            f.release();
            f.close();
        }
    }

    private static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String missing = "no " + (Files.isExecutable(CHROMIUM) ? "" : CHROMIUM + " ")
                + (Files.isExecutable(CHROMEDRIVER) ? "" : CHROMEDRIVER) + ": apt-get install chromium chromium-driver"
                + " (.ci/run installs them)";
        if ("true".equals(System.getenv("COMPACTOR_REQUIRE_BROWSER"))) {
            fail("COMPACTOR_REQUIRE_BROWSER=true but " + missing);
        }
        Assumptions.assumeTrue(false, "skipped: " + missing);
    }

    private static WebDriver headlessChromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1500", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private boolean present(String css) {
        return !browser.findElements(By.cssSelector(css)).isEmpty();
    }

    @Test
    void theDashboardShowsTheRunningCompactionAndTheTabletsExplainBehindAuth() throws Exception {
        requireBrowser();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("root:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        f = new OperatorFixture(dir, Map.of("http_auth_password", PASSWORD, "enable_vertical_compaction", true),
                auth);
        var t = f.table("web", 2, 6, 10_000, Map.of());
        long tablet = t.tablets().get(0);
        f.hold(tablet, 20_000);
        f.submit(tablet, "cumulative");
        f.awaitHeld(tablet);
        assertEquals(401, new CompactionHttpClient(f.server.port()).send("GET", "/api/compaction/running", null)
                .code(), "the JSON needs the password");

        browser = headlessChromium();
        browser.get("http://127.0.0.1:" + f.server.port() + "/dashboard");
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("login")).isDisplayed());
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();

        String row = "#running tr.running-row[data-tablet='" + tablet + "']";
        await().atMost(Duration.ofSeconds(30)).until(() -> present(row));
        String running = text(row);
        assertTrue(running.contains("cumulative") && running.contains("[2-7]") && running.contains("%")
                && running.contains("Cancel"), running);
        assertTrue(running.contains("of 2"), "vertical group in progress: " + running);
        await().atMost(Duration.ofSeconds(30)).until(() -> text("#summary")
                .matches("2 tablets, 1 compactions running, 0 queued, 0 stuck"));

        browser.findElement(By.cssSelector("#tablets tr.tablet-row[data-tablet='" + tablet + "']")).click();
        await().atMost(Duration.ofSeconds(30)).until(() -> text("#explain")
                .contains("cumulative: a cumulative compaction is running"));
        String explain = text("#explain");
        assertTrue(explain.contains("tablet " + tablet), explain);
        await().atMost(Duration.ofSeconds(30)).until(() -> present("#chart-versions polyline")
                && present("#chart-load polyline"));
        assertFalse(text("#limits").isEmpty());

        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertTrue(Files.size(shot) > 10_000, "screenshot written to " + shot.toAbsolutePath());

        WebElement cancel = browser.findElement(By.cssSelector(row + " button.cancel"));
        cancel.click();
        await().atMost(Duration.ofSeconds(30)).until(() -> !present(row));
        f.awaitNothingRunning();
        await().atMost(Duration.ofSeconds(30)).until(() -> text("#finished").contains("CANCELLED"));
        assertTrue(text("#finished").contains("http:root (dashboard)"), text("#finished"));
        assertEquals("CANCELLED", f.lastProfile(tablet).get("status").asText());
        assertEquals(7, f.http.rowsets(tablet).size(), "nothing changed");
        List<String> external = browser.findElements(By.cssSelector("script[src], link[href]")).stream()
                .map(e -> e.getAttribute(e.getTagName().equals("script") ? "src" : "href"))
                .filter(u -> !u.startsWith("http://127.0.0.1:" + f.server.port() + "/dashboard/")).toList();
        assertEquals(List.of(), external, "everything comes from the node");
    }
}
