package org.cancelkit.lifecycle.demo;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.Worker;
import org.cancelkit.lifecycle.WorkerGroup;

/**
 * The child JVM of {@code SignalsInChildJvmTest}: a small application that runs until a signal, then
 * prints its report to standard error and exits with its code. In its own package, so that it can run
 * from the class path while the library runs on the module path.
 *
 * <p>Arguments: {@code clean} (every worker stops in grace) or {@code stuck} (one ignores every cancel).
 */
public final class SignalDemo {
    private SignalDemo() {}

    /**
     * Runs the demo.
     *
     * @param args {@code clean} or {@code stuck}
     */
    public static void main(String[] args) {
        boolean stuck = args.length > 0 && args[0].equals("stuck");
        Duration grace = Duration.ofSeconds(1);
        Application.Builder b = Application.builder("demo")
                .add(Worker.of("db", grace, token -> {
                    token.awaitCancellation();
                    System.out.println("db: closing connections");
                }))
                .add(WorkerGroup.of("ingest",
                        Worker.of("reader", grace, token -> token.awaitCancellation()),
                        Worker.of("parser", grace, token -> token.awaitCancellation())))
                .add(Worker.of("http", grace, token -> {
                    token.awaitCancellation();
                    System.out.println("http: draining");
                }))
                .budget(Duration.ofSeconds(5))
                .hardStopWait(Duration.ofMillis(500));
        if (stuck) {
            b.add(Worker.of("legacy", grace, token -> {
                token.onCancel(() -> System.out.println("legacy: cancel seen, ignoring it"));
                stuckForever(new Semaphore(0));
            }));
        }
        Application app = b.build().handleSignals().start();
        System.out.println("READY " + app.signalHandling().orElse("none") + " " + Runtime.version().feature()
                + " named-module=" + Application.class.getModule().isNamed());
        app.runAndExit();
    }

    /** Ignores every cancel: a frame to find in the report. */
    static void stuckForever(Semaphore never) {
        never.acquireUninterruptibly();
    }
}
