package org.cancelkit.jobs.postgres;

import java.sql.SQLException;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The job the tests run: items 0..n-1; each item inserts one row (item, worker) into the test's sink
 * table through the chunk's transaction and writes one line of output; a running tally per partition
 * as the state. The sink has no unique constraint, so a duplicate shows as a second row.
 */
final class Fixtures {
    private Fixtures() {}

    /** The state: how many items and their sum. A public record, so Jackson reads it without tricks. */
    public record Tally(long count, long sum) {
        static final Tally ZERO = new Tally(0, 0);

        Tally add(long item) {
            return new Tally(count + 1, sum + item);
        }
    }

    static List<Long> items(int n) {
        return LongStream.range(0, n).boxed().toList();
    }

    static String sink(String prefix) {
        return prefix + "sink";
    }

    /** A job database on a fresh prefix: its tables migrated, and the sink the processor writes to. */
    static JobDatabase migratedWithSink(String prefix) throws SQLException {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        db.migrate();
        createSink(prefix);
        return db;
    }

    static void createSink(String prefix) throws SQLException {
        Pg.execute("CREATE TABLE IF NOT EXISTS " + sink(prefix) + " (item bigint NOT NULL, worker text NOT NULL)");
    }

    /** The processor: one sink row, one output line, the tally. */
    static ClusterItemProcessor<Long, Tally> processor(String prefix, String worker, boolean output) {
        String insert = "INSERT INTO " + sink(prefix) + " (item, worker) VALUES (?, ?)";
        return (index, item, tally, out, tx) -> {
            tx.update(insert, item, worker);
            if (output) {
                out.println("item " + index);
            }
            return tally.add(item);
        };
    }

    /** Rows in the sink minus distinct items: 0 when nothing was written twice. */
    static long duplicates(String prefix) throws SQLException {
        return Pg.count("SELECT count(*) - count(DISTINCT item) FROM " + sink(prefix));
    }

    static long distinct(String prefix) throws SQLException {
        return Pg.count("SELECT count(DISTINCT item) FROM " + sink(prefix));
    }

    static long rows(String prefix) throws SQLException {
        return Pg.count("SELECT count(*) FROM " + sink(prefix));
    }
}
