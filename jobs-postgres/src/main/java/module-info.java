/**
 * cancelkit jobs-postgres: resumable jobs across machines, with PostgreSQL as the coordination engine.
 * A job is split into partitions; worker processes claim them with leases, checkpoint them in the
 * database in the same transaction as the items' writes, and a lease epoch fences a worker whose lease
 * was taken over. A cancel from any process reaches every worker through LISTEN/NOTIFY.
 *
 * <p>Start with {@link org.cancelkit.jobs.postgres.JobDatabase} and
 * {@link org.cancelkit.jobs.postgres.ClusterJob}.
 */
@SuppressWarnings("requires-automatic")
module org.cancelkit.jobs.postgres {
    requires transitive org.cancelkit;
    requires transitive org.cancelkit.jobs;
    requires transitive org.cancelkit.jdbc;
    requires transitive java.sql;
    requires com.fasterxml.jackson.databind;
    // pgjdbc ships no module descriptor: an automatic module; used for LISTEN/NOTIFY only.
    requires org.postgresql.jdbc;
    requires static transitive org.jspecify;

    exports org.cancelkit.jobs.postgres;
}
