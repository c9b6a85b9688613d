package org.cancelkit.cli.playground;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.cancelkit.CancelEvents;

/**
 * The playground's web server: one page (HTML, JS and CSS from this module's resources, nothing from
 * elsewhere), the list of scenarios, and a run streamed as server-sent events. It runs only the
 * built-in {@link Lab}s with values checked against their ranges; every other request is refused with
 * a 400 that says what was wrong. One run at a time: the event hook is process-wide.
 *
 * <p>Endpoints: {@code GET /} (the page), {@code GET /app.js}, {@code GET /app.css},
 * {@code GET /api/scenarios} (JSON), {@code GET /api/run?scenario=NAME&PARAM=VALUE...}
 * ({@code text/event-stream}: lane, mark, token, say, check, done messages).
 */
public final class PlaygroundServer implements AutoCloseable {
    private static final int MAX_QUERY = 512;
    private static final Map<String, String> STATIC = Map.of("/", "index.html", "/index.html", "index.html",
            "/app.js", "app.js", "/app.css", "app.css");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Lab> labs = new LinkedHashMap<>();
    private final ReentrantLock oneRun = new ReentrantLock();

    private PlaygroundServer(HttpServer server) {
        this.server = server;
        for (Lab l : LabScenarios.all()) {
            labs.put(l.name(), l);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    /**
     * Starts a server.
     *
     * @param host the address to bind: a loopback address unless the user asked otherwise
     * @param port the port; 0 for any free one
     * @return the started server
     * @throws IOException when the address cannot be bound
     */
    public static PlaygroundServer start(InetAddress host, int port) throws IOException {
        PlaygroundServer s = new PlaygroundServer(HttpServer.create(new InetSocketAddress(host, port), 16));
        s.server.start();
        return s;
    }

    /**
     * Returns the page's address.
     *
     * @return e.g. {@code http://127.0.0.1:7070/}
     */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    /** Stops accepting, ends the exchanges in progress (a run's stream ends with its run), and stops. */
    @Override
    public void close() {
        server.stop(1);
        threads.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!ex.getRequestMethod().equals("GET")) {
                badRequest(ex, "method " + ex.getRequestMethod() + " is not allowed: the playground answers GET only");
                return;
            }
            if (STATIC.containsKey(path)) {
                serve(ex, STATIC.get(path));
            } else if (path.equals("/api/scenarios")) {
                send(ex, 200, "application/json", scenariosJson());
            } else if (path.equals("/api/run")) {
                run(ex);
            } else {
                send(ex, 404, "text/plain", "no such page: " + path + " (the playground is at /)\n");
            }
        }
    }

    private void serve(HttpExchange ex, String resource) throws IOException {
        try (InputStream in = PlaygroundServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                send(ex, 500, "text/plain", "missing resource " + resource + "\n");
                return;
            }
            String type = resource.endsWith(".js") ? "text/javascript" : resource.endsWith(".css") ? "text/css" : "text/html";
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private String scenariosJson() {
        StringBuilder b = new StringBuilder("[");
        for (Lab l : labs.values()) {
            b.append(b.length() > 1 ? "," : "").append("{\"name\":").append(Run.Json.str(l.name()))
                    .append(",\"title\":").append(Run.Json.str(l.title())).append(",\"params\":[");
            List<Lab.Param> ps = l.params();
            for (int i = 0; i < ps.size(); i++) {
                Lab.Param p = ps.get(i);
                b.append(i > 0 ? "," : "").append("{\"name\":").append(Run.Json.str(p.name())).append(",\"label\":")
                        .append(Run.Json.str(p.label())).append(",\"min\":").append(p.min()).append(",\"max\":")
                        .append(p.max()).append(",\"value\":").append(p.value()).append(",\"unit\":")
                        .append(Run.Json.str(p.unit())).append('}');
            }
            b.append("]}");
        }
        return b.append(']').toString();
    }

    /** Checks the request against the scenario's parameters; the values, or a 400 already sent. */
    Map<String, Long> values(Lab lab, Map<String, String> query) throws BadRequest {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String k : query.keySet()) {
            if (!k.equals("scenario") && lab.params().stream().noneMatch(p -> p.name().equals(k))) {
                throw new BadRequest("unknown parameter '" + k + "' for scenario " + lab.name() + "; it takes "
                        + lab.params().stream().map(Lab.Param::name).toList());
            }
        }
        for (Lab.Param p : lab.params()) {
            String raw = query.get(p.name());
            if (raw == null) {
                values.put(p.name(), p.value());
                continue;
            }
            long v;
            try {
                if (raw.length() > 12) {
                    throw new NumberFormatException();
                }
                v = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new BadRequest(p.name() + " must be a whole number between " + p.min() + " and " + p.max()
                        + ", got '" + (raw.length() > 40 ? raw.substring(0, 40) + "…" : raw) + "'");
            }
            if (v < p.min() || v > p.max()) {
                throw new BadRequest(p.name() + " must be between " + p.min() + " and " + p.max() + " " + p.unit()
                        + ", got " + v);
            }
            values.put(p.name(), v);
        }
        return values;
    }

    private void run(HttpExchange ex) throws IOException {
        Map<String, String> query;
        Lab lab;
        Map<String, Long> values;
        try {
            query = query(ex.getRequestURI().getRawQuery());
            String name = query.get("scenario");
            if (name == null) {
                throw new BadRequest("say which scenario: /api/run?scenario=NAME, one of " + labs.keySet());
            }
            lab = labs.get(name);
            if (lab == null) {
                throw new BadRequest("unknown scenario '" + name + "'; the scenarios are " + labs.keySet());
            }
            values = values(lab, query);
        } catch (BadRequest e) {
            badRequest(ex, e.getMessage());
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        // Messages come from the scenario's threads, which cancelkit interrupts: a write to the socket
        // from an interrupted thread would close it. So they queue, and this thread alone writes.
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        Run run = new Run(messages::add);
        Thread lab1 = Thread.ofVirtual().name("playground-" + lab.name()).start(() -> runLab(lab, values, run));
        OutputStream out = ex.getResponseBody();
        try {
            for (String json; !(json = messages.take()).equals(Run.END); ) {
                out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
                if (messages.isEmpty()) {
                    out.flush();
                }
            }
            out.flush();
        } catch (IOException gone) {
            // the page went away: the run finishes on its own, its messages go nowhere
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping: stop streaming, the run ends by itself
        }
        try {
            lab1.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping; the scenario's threads end on their own
        }
    }

    private void runLab(Lab lab, Map<String, Long> values, Run run) {
        oneRun.lock();
        try (var _ = CancelEvents.register(run::onEvent)) {
            run.say("scenario " + lab.name() + " " + Run.Json.params(values));
            try {
                lab.run(values, run);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the server is stopping: the run ends here
                run.check("the scenario ran to its end", false);
            } catch (Exception e) {
                run.check("the scenario ran without error (" + e + ")", false);
            }
        } finally {
            oneRun.unlock();
        }
        run.done();
    }

    private static Map<String, String> query(String raw) throws BadRequest {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        if (raw.length() > MAX_QUERY) {
            throw new BadRequest("the query is " + raw.length() + " characters long; at most " + MAX_QUERY);
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (q.put(k, v) != null) {
                throw new BadRequest("parameter '" + k + "' is given twice");
            }
        }
        return q;
    }

    private static void badRequest(HttpExchange ex, String why) throws IOException {
        send(ex, 400, "text/plain", "400 Bad Request: " + why + "\n");
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** A request the playground refuses, with what was wrong. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
