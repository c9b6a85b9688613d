package org.cancelkit.cli.playground;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.Worker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cancelkit playground}: the web page that runs a scenario and draws what the library did. */
@Command(name = "playground", mixinStandardHelpOptions = true,
        description = {"Starts a local web server with one page: pick a scenario, change its parameters, run it, and "
                + "watch its timeline, token tree and checks live. Ctrl+C stops it.", ""})
public final class PlaygroundCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "The port (default ${DEFAULT-VALUE}; 0 for any free one).")
    int port = 7070;

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "The address to bind (default ${DEFAULT-VALUE}: this machine only). Another address "
                    + "exposes the playground to the network.")
    String host = "127.0.0.1";

    /** Creates the command; picocli fills it in. */
    public PlaygroundCommand() {}

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            System.err.println("cancelkit playground: --port must be between 0 and 65535, got " + port);
            return 2;
        }
        InetAddress address = InetAddress.getByName(host);
        if (!address.isLoopbackAddress()) {
            System.err.println("cancelkit playground: warning: " + host + " is not a loopback address; anyone who "
                    + "can reach it can run the built-in scenarios");
        }
        Application app = Application.builder("playground")
                .add(Worker.of("web-server", Duration.ofSeconds(2), token -> {
                    try (PlaygroundServer server = PlaygroundServer.start(address, port)) {
                        System.out.println("cancelkit playground: open " + server.uri() + "  (Ctrl+C to stop)");
                        token.awaitCancellation();
                    }
                }))
                .build();
        app.handleSignals();
        ShutdownReport report = app.run();
        System.out.println("cancelkit playground: stopped (" + report.worker("web-server").outcome() + ")");
        return report.exitCode() == ShutdownReport.EXIT_CLEAN ? 0 : 1;
    }
}
