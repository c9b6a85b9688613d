package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.cancelkit.CancelEvents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.DisplayName;

/**
 * {@code org.cancelkit.jdbc.TransactionEnded}: one event per transaction with its final state, a
 * commit whose outcome cannot be known reported as OUTCOME_UNKNOWN (never as rolled back), both as a
 * Flight Recorder event (shipped {@code cancelkit.jfc}) and to a hook listener. Negative control: the
 * JDK's default settings record none.
 */
class TransactionEventsTest {
    private static final String T = Db.table("ck_jdbc_events");
    private static final String BUMP = "UPDATE " + T + " SET v = v + 1 WHERE id = 1";

    record Seen(List<String> jfr, List<TransactionEnded> hook) {}

    Seen threeTransactions(Db db, Configuration settings) throws Exception {
        db.resetTable(T);
        Path file = Files.createTempFile("jdbc", ".jfr");
        List<TransactionEnded> hook = new CopyOnWriteArrayList<>();
        try (Connection real = db.connect(); Recording rec = new Recording(settings);
             var _ = CancelEvents.register(e -> {
                 if (e instanceof TransactionEnded t) {
                     hook.add(t);
                 }
             })) {
            rec.start();
            SqlTransaction.call(real, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                t.commit();
                return null;
            });
            SqlTransaction.call(real, JdbcOptions.defaults(), t -> t.update(BUMP)); // no commit: rolled back
            try (Connection broken = db.connect()) {
                Connection c = CommitOutcomeTest.faulty(broken, r -> {
                    r.commit();
                    throw new SQLException("An I/O error occurred while sending to the backend", "08006");
                }, () -> { });
                assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                    t.update(BUMP);
                    t.commit();
                    return null;
                })).isInstanceOf(CommitOutcomeUnknownException.class);
            }
            rec.stop();
            rec.dump(file);
            List<String> ours = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("org.cancelkit.jdbc.TransactionEnded"))
                    .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
                    .map((RecordedEvent e) -> e.getString("outcome")).toList();
            return new Seen(ours, List.copyOf(hook));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: committed, rolled back and outcome unknown, recorded and seen in order")
    void outcomes(Db db) throws Exception {
        Seen s = threeTransactions(db, Configuration.create(new StringReader(CancelEvents.jfrSettings())));
        assertThat(s.jfr()).containsExactly("COMMITTED", "ROLLED_BACK", "OUTCOME_UNKNOWN");
        assertThat(s.hook()).extracting(TransactionEnded::outcome).containsExactly(SqlTransaction.State.COMMITTED,
                SqlTransaction.State.ROLLED_BACK, SqlTransaction.State.OUTCOME_UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("negative control: the JDK's default settings record no transaction event; the hook still sees them")
    void defaultSettingsRecordNone(Db db) throws Exception {
        Seen s = threeTransactions(db, Configuration.getConfiguration("default"));
        assertThat(s.jfr()).isEmpty();
        assertThat(s.hook()).hasSize(3);
    }
}
