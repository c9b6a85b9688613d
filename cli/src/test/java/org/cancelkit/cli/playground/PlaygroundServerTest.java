package org.cancelkit.cli.playground;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The playground's server without a browser: what it serves, the 400s that say what was wrong, a run's
 * stream, loopback by default, and a clean stop on SIGINT through the lifecycle module (a child JVM).
 */
@org.junit.jupiter.api.Timeout(120)
class PlaygroundServerTest {
    static PlaygroundServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = PlaygroundServer.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("the page, its script and style come from the jar; no external address is referenced")
    void servesThePage() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/app.js", "/app.css").doesNotContain("http://", "https://");
        assertThat(get("/app.js").body()).contains("window.playground").doesNotContain("http://", "https://");
        assertThat(get("/app.css").statusCode()).isEqualTo(200);
        assertThat(get("/api/scenarios").body()).contains("\"timeout\"", "\"shutdown\"", "\"file-commit\"");
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/api/run                                           | say which scenario",
        "/api/run?scenario=rm-rf                            | unknown scenario 'rm-rf'; the scenarios are [timeout, shutdown, file-commit]",
        "/api/run?scenario=timeout&timeoutMs=1              | timeoutMs must be between 10 and 5000 ms, got 1",
        "/api/run?scenario=timeout&timeoutMs=5001           | timeoutMs must be between 10 and 5000 ms, got 5001",
        "/api/run?scenario=timeout&workMs=99999999999999999999 | workMs must be a whole number between 0 and 10000",
        "/api/run?scenario=timeout&workMs=ten               | workMs must be a whole number between 0 and 10000, got 'ten'",
        "/api/run?scenario=timeout&code=System.exit(0)      | unknown parameter 'code' for scenario timeout",
        "/api/run?scenario=timeout&timeoutMs=20&timeoutMs=30 | parameter 'timeoutMs' is given twice",
    })
    @DisplayName("bad requests get a 400 that says what was wrong")
    void badRequests(String path, String why) throws Exception {
        HttpResponse<String> r = get(path.strip());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("400 Bad Request: ").contains(why.strip());
    }

    @Test
    @DisplayName("a huge query, and a method other than GET, get a 400")
    void hugeQueryAndWrongMethod() throws Exception {
        HttpResponse<String> huge = get("/api/run?scenario=timeout&x=" + "9".repeat(2000));
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("at most 512");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/api/run?scenario=timeout"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(post.body()).contains("method POST is not allowed");
    }

    @Test
    @DisplayName("a run streams server-sent events: lanes, marks from the library's events, checks, done")
    void runStreams() throws Exception {
        HttpResponse<String> r = get("/api/run?scenario=timeout&timeoutMs=50&workMs=2000");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<String> kinds = r.body().lines().filter(l -> l.contains("\"type\":\"mark\""))
                .map(l -> l.replaceAll(".*\"kind\":\"([^\"]+)\".*", "$1")).toList();
        // Marks are streamed in the order their threads publish them. The interrupt's mark is published by the
        // thread that sent it, just after sending, and the woken caller may unwind and mark its exit first: the
        // two are ordered only after the hard cancel.
        assertThat(kinds).hasSize(5).startsWith("start", "deadline", "hard-cancel");
        assertThat(kinds.subList(3, 5)).containsExactlyInAnyOrder("interrupt", "exit");
        assertThat(r.body()).contains("\"type\":\"done\"").contains("\"failed\":0").doesNotContain("\"ok\":false");
    }

    @Test
    @DisplayName("bound to loopback by default")
    void loopbackByDefault() {
        assertThat(new PlaygroundCommand().host).isEqualTo("127.0.0.1");
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    @DisplayName("cancelkit playground stops cleanly on SIGINT (Ctrl+C), through the lifecycle module")
    void stopsOnSigint() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.cancelkit.cli.Main",
                "playground", "--port", "0").redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            lines.add(first);
            assertThat(first).as("the URL is printed").contains("open http://127.0.0.1:");
            String url = first.replaceAll(".*open (http://\\S+).*", "$1");
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended after SIGINT: " + lines).isTrue();
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("stopped (STOPPED_IN_GRACE)"));
    }
}
