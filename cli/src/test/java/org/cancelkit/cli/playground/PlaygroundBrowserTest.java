package org.cancelkit.cli.playground;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them) driven by Selenium. Each test picks a
 * scenario, changes its parameters, runs it, waits for the end of the stream, and compares what the page
 * drew (lanes and marks in the DOM, in order) with the messages the server sent and with the
 * scenario's expected story; the checks shown must all pass. Screenshots go to
 * {@code target/playground-*.png}. Negative control: the timeout scenario with its work shielded
 * suppresses the interrupt, and the page shows its absence and a failed check.
 */
@org.junit.jupiter.api.Timeout(180)
class PlaygroundBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    static PlaygroundServer server;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assertThat(CHROMIUM).as("headless Chromium is needed: apt-get install chromium chromium-driver").exists();
        assertThat(CHROMEDRIVER).as("chromedriver is needed: apt-get install chromium-driver").exists();
        server = PlaygroundServer.start(InetAddress.getLoopbackAddress(), 0);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    /** What the page shows after a run: marks per lane (DOM order), the server's marks per lane, the checks. */
    record Shown(Map<String, List<String>> domLanes, Map<String, List<String>> sentLanes, List<String> checks) {
        List<String> lane(String name) {
            return domLanes.getOrDefault(name, List.of());
        }
    }

    Shown run(String scenario, Map<String, Long> params, String screenshot) throws Exception {
        browser.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        new Select(browser.findElement(By.id("scenario"))).selectByValue(scenario);
        params.forEach((name, value) -> {
            WebElement input = browser.findElement(By.id("param-" + name));
            input.clear();
            input.sendKeys(Long.toString(value));
        });
        browser.findElement(By.id("run")).click();
        wait.until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return window.playground.done")));
        Map<String, List<String>> dom = new LinkedHashMap<>();
        for (WebElement lane : browser.findElements(By.cssSelector("#timeline .lane"))) {
            List<String> kinds = new ArrayList<>();
            for (WebElement m : lane.findElements(By.cssSelector(".mark"))) {
                kinds.add(m.getDomAttribute("data-kind"));
            }
            dom.put(lane.getDomAttribute("data-lane"), kinds);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sent = (List<Map<String, Object>>) ((JavascriptExecutor) browser)
                .executeScript("return window.playground.events");
        Map<String, List<String>> sentLanes = new LinkedHashMap<>();
        for (Map<String, Object> m : sent) {
            if ("lane".equals(m.get("type"))) {
                sentLanes.putIfAbsent((String) m.get("lane"), new ArrayList<>());
            } else if ("mark".equals(m.get("type"))) {
                sentLanes.computeIfAbsent((String) m.get("lane"), k -> new ArrayList<>()).add((String) m.get("kind"));
            }
        }
        List<String> checks = new ArrayList<>();
        for (WebElement c : browser.findElements(By.cssSelector("#checks .check"))) {
            checks.add((c.getDomAttribute("class").contains("pass") ? "PASS " : "FAIL ") + c.getText());
        }
        Path shot = Path.of("target", "playground-" + screenshot + ".png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        return new Shown(dom, sentLanes, checks);
    }

    @Test
    @DisplayName("timeout (150 ms around 1.5 s of work): start, deadline, hard cancel, interrupt, exit; three checks pass")
    void timeout() throws Exception {
        Shown s = run("timeout", Map.of("timeoutMs", 150L, "workMs", 1500L, "shielded", 0L), "timeout");
        assertThat(s.domLanes()).isEqualTo(s.sentLanes());
        List<String> caller = s.lane("caller");
        // the interrupt's mark is published by its sender just after sending: the caller may mark its exit first
        assertThat(caller).hasSize(5).startsWith("start", "deadline", "hard-cancel");
        assertThat(caller.subList(3, 5)).containsExactlyInAnyOrder("interrupt", "exit");
        assertThat(s.checks()).hasSize(3).allMatch(c -> c.startsWith("PASS "));
        assertThat(browser.findElement(By.cssSelector("[data-token=timeout] .state")).getText()).isEqualTo("cancelled (hard)");
    }

    @Test
    @DisplayName("negative control: the same timeout with the work shielded shows no interrupt in the work, and a failed check")
    void timeoutWithTheInterruptSuppressed() throws Exception {
        Shown s = run("timeout", Map.of("timeoutMs", 150L, "workMs", 600L, "shielded", 1L), "timeout-shielded");
        assertThat(s.domLanes()).isEqualTo(s.sentLanes());
        List<String> caller = s.lane("caller");
        assertThat(caller).contains("shield-begin", "shield-end");
        assertThat(caller.subList(caller.indexOf("shield-begin"), caller.indexOf("shield-end")))
                .as("no interrupt reaches the shielded work (C6): the one owed waits until the shield ends")
                .doesNotContain("interrupt");
        assertThat(s.checks()).contains("FAIL the work was interrupted at the deadline (C4)");
    }

    @Test
    @DisplayName("graceful shutdown (database grace 400 ms, cleanup 50 ms; http grace 100 ms): reverse order, http hard-cancelled")
    void shutdown() throws Exception {
        Shown s = run("shutdown", Map.of("databaseGraceMs", 400L, "databaseCleanupMs", 50L, "httpGraceMs", 100L), "shutdown");
        assertThat(s.domLanes()).isEqualTo(s.sentLanes());
        assertThat(s.domLanes().keySet()).containsExactly("shutdown", "database", "reader", "http");
        for (String worker : List.of("database", "reader", "http")) {
            assertThat(s.lane(worker)).as(worker).startsWith("start").endsWith("exit").contains("soft-cancel");
        }
        assertThat(s.lane("http")).as("only the impolite worker is interrupted").contains("interrupt");
        assertThat(s.lane("database")).doesNotContain("interrupt");
        assertThat(s.lane("reader")).doesNotContain("interrupt");
        assertThat(s.lane("shutdown")).startsWith("start").endsWith("exit");
        assertThat(s.checks()).hasSize(4).allMatch(c -> c.startsWith("PASS "));
        String readmeImage = System.getProperty("playground.screenshot");
        if (readmeImage != null) { // the README's picture: see "The playground" there
            Files.copy(Path.of("target", "playground-shutdown.png"), Path.of(readmeImage),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    @DisplayName("file transaction of 4 files cancelled at its 2nd commit step: shielded clean-up, rolled back, never torn")
    void fileCommitCancelledMidCommit() throws Exception {
        Shown s = run("file-commit", Map.of("files", 4L, "cancelAtStep", 2L), "file-commit");
        assertThat(s.domLanes()).isEqualTo(s.sentLanes());
        List<String> lane = s.lane("committer");
        assertThat(lane).startsWith("start", "hard-cancel").endsWith("rollback", "exit");
        assertThat(lane).doesNotContain("commit");
        assertThat(s.checks()).hasSize(2).allMatch(c -> c.startsWith("PASS "));
    }

    @Test
    @DisplayName("file transaction cancelled past its commit point: the commit finishes")
    void fileCommitCancelledPastTheCommitPoint() throws Exception {
        Shown s = run("file-commit", Map.of("files", 2L, "cancelAtStep", 6L), "file-commit-late");
        assertThat(s.domLanes()).isEqualTo(s.sentLanes());
        assertThat(s.lane("committer")).startsWith("start").endsWith("commit", "exit").contains("hard-cancel");
        assertThat(s.checks()).hasSize(2).allMatch(c -> c.startsWith("PASS "));
    }
}
