package org.cancelkit.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code cancelkit} command. */
@Command(name = "cancelkit", mixinStandardHelpOptions = true, version = "cancelkit 0.1.0-SNAPSHOT",
        description = "Cancellation, timeouts and cleanup for Java 25, built on virtual threads.",
        subcommands = {Main.TourCommand.class, org.cancelkit.cli.playground.PlaygroundCommand.class, JobsCommand.class, FileScenarios.TxChildCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Creates the command; picocli fills it in. */
    public Main() {}

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** {@code cancelkit tour}: every scenario, live. */
    @Command(name = "tour", mixinStandardHelpOptions = true,
            description = {"Runs live scenarios and prints, for each, what happened, how long it took and the "
                    + "invariant it demonstrates, checked for real. Exits 1 when a check fails.", ""})
    static final class TourCommand implements Callable<Integer> {
        @Option(names = "--only", paramLabel = "NAME", description = "Run only these scenarios, in this order (see --list).", split = ",")
        List<String> only = List.of();

        @Option(names = "--list", description = "List the scenarios and exit.")
        boolean list;

        @Override
        public Integer call() {
            Tour full = Tour.full();
            if (list) {
                full.scenarios().forEach(s -> System.out.printf("%-14s %-8s %s%n", s.name(), s.invariants(), s.title()));
                return 0;
            }
            Tour chosen;
            try {
                chosen = only.isEmpty() ? full : full.only(only);
            } catch (IllegalArgumentException unknownName) {
                System.err.println("cancelkit tour: " + unknownName.getMessage() + " (see `cancelkit tour --list`)");
                return 2;
            }
            return chosen.run(System.out) == 0 ? 0 : 1;
        }
    }
}
