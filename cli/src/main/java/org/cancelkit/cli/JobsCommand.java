package org.cancelkit.cli;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cancelkit.jobs.postgres.ClusterStatus;
import org.cancelkit.jobs.postgres.JobDatabase;
import org.cancelkit.jobs.postgres.UrlDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cancelkit jobs ...}: the cluster jobs of a PostgreSQL database, from any machine: their status
 * (per partition, who holds which lease), a cancel that reaches every worker, reopening a cancelled job,
 * and creating or migrating the tables.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Cluster jobs in PostgreSQL (the jobs-postgres module): status, cancel, reopen, migrate.",
        subcommands = {JobsCommand.Status.class, JobsCommand.Cancel.class, JobsCommand.Reopen.class,
            JobsCommand.Migrate.class, ClusterScenarios.TourWorkerCommand.class})
final class JobsCommand implements Callable<Integer> {
    /** The default database: the environment's CANCELKIT_JOBS_URL, else PostgreSQL on loopback. */
    static final String DEFAULT_URL = System.getenv().getOrDefault("CANCELKIT_JOBS_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=5");

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Where the job tables are. */
    static final class Database {
        @Option(names = "--url", paramLabel = "JDBC_URL", description = "The database (default: $CANCELKIT_JOBS_URL, "
                + "else jdbc:postgresql://127.0.0.1:5432/test?user=postgres).")
        String url = DEFAULT_URL;

        @Option(names = "--prefix", paramLabel = "PREFIX", description = "The tables' prefix (default: "
                + JobDatabase.DEFAULT_PREFIX + ").")
        String prefix = JobDatabase.DEFAULT_PREFIX;

        JobDatabase open() {
            return JobDatabase.of(UrlDataSource.of(url), prefix);
        }
    }

    /**
     * Runs a body; a bad argument or a database error is one line on standard error and exit status 2.
     * The line may quote text from the tables or the arguments: its control and format characters are
     * shown as <code>&#92;uXXXX</code>, as {@link ClusterStatus#render} shows them.
     */
    private static int guarded(Callable<Integer> body) {
        try {
            return body.call();
        } catch (IllegalArgumentException | SQLException e) {
            System.err.println("cancelkit jobs: " + oneLine(String.valueOf(e.getMessage())));
            return 2;
        } catch (Exception e) {
            System.err.println("cancelkit jobs: " + oneLine(e.toString()));
            return 2;
        }
    }

    /** Text with its control and format characters (ESC, newlines, bidi overrides) as backslash-u-hex. */
    static String oneLine(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.chars().forEach(c -> b.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                ? String.format(Locale.ROOT, "\\u%04X", c) : String.valueOf((char) c)));
        return b.toString();
    }

    /** {@code cancelkit jobs status <id>}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Prints a job's progress across its workers, per partition, with who holds which lease.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Database db = new Database();

        @Parameters(index = "0", paramLabel = "JOB", description = "The job's id.")
        String job = "";

        @Option(names = "--width", description = "Cells of the progress bar (default: 40).")
        int width = 40;

        @Override
        public Integer call() {
            return guarded(() -> {
                ClusterStatus s = db.open().status(job);
                System.out.print(s.render(Math.max(1, width)));
                return 0;
            });
        }
    }

    /** {@code cancelkit jobs cancel <id>}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancels a job on every worker: soft first, hard after the grace; each worker commits its "
                    + "done items and releases its partitions.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        Database db = new Database();

        @Parameters(index = "0", paramLabel = "JOB", description = "The job's id.")
        String job = "";

        @Option(names = "--reason", description = "Why (shown to the workers and in the status).")
        String reason = "cancelled from the command line";

        @Option(names = "--grace", paramLabel = "DURATION", description = "How long items may finish before they are "
                + "interrupted: 10s, 500ms, 2m (default: 10s).", converter = DurationConverter.class)
        Duration grace = Duration.ofSeconds(10);

        @Override
        public Integer call() {
            return guarded(() -> {
                boolean now = db.open().cancel(job, reason, grace);
                System.out.println(now ? "job " + job + " cancelled: every worker stops within its grace ("
                        + grace.toMillis() + " ms)" : "job " + job + " was already cancelled");
                return 0;
            });
        }
    }

    /** {@code cancelkit jobs reopen <id>}. */
    @Command(name = "reopen", mixinStandardHelpOptions = true,
            description = "Clears a job's cancel, so that workers resume it from its checkpoints.")
    static final class Reopen implements Callable<Integer> {
        @Mixin
        Database db = new Database();

        @Parameters(index = "0", paramLabel = "JOB", description = "The job's id.")
        String job = "";

        @Override
        public Integer call() {
            return guarded(() -> {
                boolean was = db.open().reopen(job);
                System.out.println(was ? "job " + job + " reopened: workers resume it" : "job " + job
                        + " was not cancelled");
                return 0;
            });
        }
    }

    /** {@code cancelkit jobs migrate}. */
    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Creates the job tables, or migrates them to this version's schema (idempotent).")
    static final class Migrate implements Callable<Integer> {
        @Mixin
        Database db = new Database();

        @Override
        public Integer call() {
            return guarded(() -> {
                JobDatabase d = db.open();
                System.out.println("job tables with prefix " + d.tablePrefix() + " at schema version " + d.migrate());
                return 0;
            });
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, or an ISO-8601 duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                if (v.endsWith("s")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                }
                if (v.endsWith("m")) {
                    return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
                }
                return Duration.parse(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write 10s, 500ms, "
                        + "2m or PT10S");
            }
        }
    }
}
