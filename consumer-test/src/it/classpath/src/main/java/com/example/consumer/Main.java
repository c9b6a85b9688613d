package com.example.consumer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cancelkit.Cancellation;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.io.AtomicFiles;
import org.cancelkit.jdbc.JdbcOptions;
import org.cancelkit.jobs.Job;
import org.cancelkit.jetty.DeadlineHandler;
import org.cancelkit.jetty.HandlerOptions;
import org.cancelkit.jobs.JobResult;
import org.cancelkit.lifecycle.Worker;
import org.cancelkit.testkit.CancellationExplorer;
import org.cancelkit.testkit.ExplorationReport;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * What a user's program does with cancelkit's core, io, jobs, http client and Jetty handler (and, more
 * briefly, jdbc, lifecycle and testkit), built against the installed artifacts only. The same source runs on the class path (project "classpath") and, with
 * its module-info, on the module path (project "modulepath"). It exits non-zero when anything is wrong.
 */
public final class Main {
    /** A job's state: Jackson reads and writes it, so on the module path its package is exported to Jackson. */
    public record Count(long items) {}

    private Main() {}

    public static void main(String[] args) throws Exception {
        String mode = Main.class.getModule().isNamed() ? "module path" : "class path";
        Path dir = Files.createTempDirectory("cancelkit-consumer");

        // core: a timeout that stops its body
        try {
            Timeout.call(Duration.ofMillis(50), () -> {
                Thread.sleep(10_000);
                return null;
            });
            throw new AssertionError("the 50 ms timeout did not fire");
        } catch (DeadlineExceededException expected) {
            System.out.println("core: " + expected.getClass().getSimpleName());
        }

        // io: a file replaced whole
        Path file = dir.resolve("greeting.txt");
        AtomicFiles.writeString(file, "hello");
        check(Files.readString(file).equals("hello"), "io: the file holds what was written");
        System.out.println("io: " + Files.readString(file));

        // jobs: a resumable job over a few items, its state a record saved as JSON
        Job<Integer, Count> job = Job.create("count", dir.resolve("job"), List.of(1, 2, 3), Count.class, new Count(0),
                (index, item, state, out) -> {
                    out.println("item " + item);
                    return new Count(state.items() + 1);
                });
        JobResult<Count> result = job.run();
        check(result.state().items() == 3, "jobs: three items done, state " + result.state());
        System.out.println("jobs: " + result.state());

        // http client: a request under a deadline to a local server
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (var os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            DeadlineClient client = DeadlineClient.of(http, ClientOptions.defaults().withTimeout(Duration.ofSeconds(5)));
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ping");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(response.body().equals("pong"), "http: the server answered pong");
            System.out.println("http: " + response.body());
        } finally {
            server.stop(0);
        }

        // jetty: a request's handler runs bound to a token with the deadline the client sent
        Server jetty = new Server(0);
        jetty.setHandler(new DeadlineHandler(org.cancelkit.CancellationToken.never(),
                HandlerOptions.defaults().withMaximum(Duration.ofSeconds(10)), new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) {
                        Duration left = Cancellation.current().remaining().orElseThrow();
                        Content.Sink.write(response, true, left.compareTo(Duration.ofSeconds(5)) <= 0 ? "bounded" : "unbounded",
                                callback);
                        return true;
                    }
                }));
        jetty.start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            DeadlineClient client = DeadlineClient.of(http, ClientOptions.defaults().withTimeout(Duration.ofSeconds(5)));
            URI uri = URI.create("http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(response.body().equals("bounded"), "jetty: the handler's token has the client's 5 s deadline ("
                    + DeadlineHeader.NAME + "), not the server's 10 s maximum; got " + response.body());
            System.out.println("jetty: " + response.body());
        } finally {
            jetty.stop();
        }

        // jdbc and lifecycle load (no database or signal here); testkit's explorer cancels at each point
        System.out.println("jdbc: " + JdbcOptions.defaults());
        System.out.println("lifecycle: a worker's default grace is " + Worker.DEFAULT_GRACE);
        ExplorationReport report = CancellationExplorer.explore(() -> {
            Cancellation.check();
            Cancellation.check();
        }).run();
        check(report.points() == 2 && report.allHeld(), "testkit: two cancellation points explored, " + report);
        System.out.println("testkit: " + report.points() + " cancellation points explored");

        // SLF4J: Jetty 12 is built against SLF4J 2; a consumer must not resolve the 1.7 that Resilience4j names.
        check(present("org.slf4j.spi.LoggingEventBuilder"), "slf4j-api 2.x is what the consumer resolved");
        System.out.println("consumer on the " + mode + ": ok");
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Main.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void check(boolean condition, String what) throws IOException {
        if (!condition) {
            throw new IOException("consumer check failed: " + what);
        }
    }
}
