package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D1 and D2 under load (TESTING.md, "Bank under cancellation", after Jepsen's bank test): 20 accounts
 * of 1,000, 8 workers through HikariCP, transfers cancelled at random points (before BEGIN, after the
 * first UPDATE, around an injected server-side sleep, just before COMMIT) or stopped by a short
 * deadline, while a reader sums the balances. Every sum is 20,000; no balance goes negative; the ledger
 * holds exactly the transfers reported committed (an unknown commit outcome is resolved by looking its
 * id up); the pool ends with no active connection and no session keeps a transaction open.
 */
class BankTest {
    private static final String BANK = Db.table("ck_jdbc_bank");
    private static final String LEDGER = Db.table("ck_jdbc_ledger");
    private static final int ACCOUNTS = 20;
    private static final int WORKERS = 8;

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1 D2: bank under cancellation, 400 transfers: the sum holds and the ledger matches what was reported")
    void bank(Db db) throws Exception {
        run(db, 400);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @Tag("stress")
    @DisplayName("D1 D2 stress: bank under cancellation, 5,000 transfers")
    void bankStress(Db db) throws Exception {
        run(db, 5_000);
    }

    private enum Fate { NORMAL, BEFORE_BEGIN, AFTER_FIRST_UPDATE, AROUND_SLEEP, BEFORE_COMMIT, DEADLINE }

    private static void run(Db db, int transfers) throws Exception {
        long seed = System.nanoTime();
        System.out.printf("BankTest %s: seed %d%n", db, seed);
        createBank(db);
        String sleep = db == Db.POSTGRES ? "SELECT pg_sleep(0.05)" : "SELECT SLEEP(0.05)";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url);
        config.setMaximumPoolSize(WORKERS);
        config.setPoolName("ck-bank-" + db);
        Set<Long> committed = ConcurrentHashMap.newKeySet();
        Set<Long> unknown = ConcurrentHashMap.newKeySet();
        Set<Long> sessions = ConcurrentHashMap.newKeySet();
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger otherFailures = new AtomicInteger();
        List<Long> badSums = new ArrayList<>();
        AtomicLong sums = new AtomicLong();
        AtomicLong nextId = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        try (HikariDataSource pool = new HikariDataSource(config); Connection readerConn = db.connect()) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    while (!done.get()) {
                        long sum = Db.single(readerConn, "SELECT sum(balance) FROM " + BANK);
                        sums.incrementAndGet();
                        if (sum != ACCOUNTS * 1000L) {
                            synchronized (badSums) {
                                badSums.add(sum);
                            }
                        }
                        Thread.sleep(100); // the reader's pace (every 100 ms), not a wait for an event
                    }
                } catch (SQLException | InterruptedException e) {
                    // The reader ends; the missing sums show in the count asserted below.
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt(); // restored: the thread ends here anyway
                    }
                }
            });
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Random random = new Random(seed + w);
                int share = transfers / WORKERS;
                // Platform threads: HikariCP hands a returned connection to a waiter with a Thread.yield()
                // spin, and on two carriers two virtual threads spinning there starved the waiter for good
                // (seen once as a 99 s stall, once as a hang). cancelkit binds platform threads alike.
                workers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < share; i++) {
                        long id = nextId.incrementAndGet();
                        int src = random.nextInt(ACCOUNTS);
                        int dst = (src + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                        int amount = 1 + random.nextInt(100);
                        int roll = random.nextInt(100);
                        Fate fate = roll < 2 ? Fate.DEADLINE
                                : roll < 12 ? Fate.values()[1 + random.nextInt(4)] : Fate.NORMAL;
                        try {
                            transfer(pool, sleep, id, src, dst, amount, fate, sessions);
                            committed.add(id);
                        } catch (CommitOutcomeUnknownException e) {
                            unknown.add(id);
                        } catch (CancelledException | DeadlineExceededException e) {
                            cancelled.incrementAndGet();
                        } catch (InsufficientFunds e) {
                            // rolled back on purpose: nothing to record
                        } catch (Exception e) {
                            otherFailures.incrementAndGet();
                            System.out.printf("BankTest %s: transfer %d failed: %s%n", db, id, e);
                        }
                    }
                }));
            }
            for (Thread t : workers) {
                t.join();
            }
            done.set(true);
            reader.join();
            try (Connection check = db.connect()) {
                Set<Long> ledger = new HashSet<>();
                try (Statement s = check.createStatement(); var rs = s.executeQuery("SELECT id FROM " + LEDGER)) {
                    while (rs.next()) {
                        ledger.add(rs.getLong(1));
                    }
                }
                Set<Long> resolved = new HashSet<>(committed);
                for (long id : unknown) { // an unknown outcome is resolved by lookup, never assumed
                    if (ledger.contains(id)) {
                        resolved.add(id);
                    }
                }
                System.out.printf("BankTest %s: %d committed, %d cancelled, %d unknown, %d other failures, %d sums%n",
                        db, committed.size(), cancelled.get(), unknown.size(), otherFailures.get(), sums.get());
                assertThat(badSums).as("seed %d: sums other than %d", seed, ACCOUNTS * 1000).isEmpty();
                assertThat(sums.get()).as("the reader ran").isPositive();
                assertThat(Db.single(check, "SELECT sum(balance) FROM " + BANK)).isEqualTo(ACCOUNTS * 1000L);
                assertThat(Db.single(check, "SELECT count(*) FROM " + BANK + " WHERE balance < 0")).isZero();
                assertThat(ledger).as("seed %d: the ledger holds exactly the transfers reported committed", seed)
                        .isEqualTo(resolved);
                assertThat(cancelled.get()).as("cancellations happened").isPositive();
                assertThat(otherFailures.get()).as("seed %d: failures other than cancellation", seed).isZero();
                assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("pool active").isZero();
                for (long session : sessions) {
                    Db.await("session " + session + " without an open transaction",
                            () -> !db.hasOpenTransaction(check, session));
                }
            }
        }
    }

    private static void createBank(Db db) throws SQLException {
        try (Connection setup = db.connect(); Statement s = setup.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + LEDGER);
            s.execute("CREATE TABLE " + LEDGER + " (id BIGINT PRIMARY KEY, src INT, dst INT, amount INT)");
            s.execute("DROP TABLE IF EXISTS " + BANK);
            s.execute("CREATE TABLE " + BANK + " (id INT PRIMARY KEY, balance INT NOT NULL)");
            for (int i = 0; i < ACCOUNTS; i++) {
                s.execute("INSERT INTO " + BANK + " VALUES (" + i + ", 1000)");
            }
        }
    }

    /**
     * Negative control: the sum check catches a transfer cut in half. The cleanup here is the classic
     * unguarded one, {@code setAutoCommit(true)} in a {@code finally}, which by JDBC's definition
     * <em>commits</em> the open transaction: the debit persists without its credit.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1 negative control: an unguarded cleanup (setAutoCommit(true)) commits half a transfer; the sum check sees it")
    void negativeControl_unguardedCleanupBreaksTheSum(Db db) throws Exception {
        createBank(db);
        try (Connection c = db.connect(); Connection check = db.connect()) {
            try (Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("UPDATE " + BANK + " SET balance = balance - 50 WHERE id = 0");
                throw new CancelledException(org.cancelkit.CancelReason.requested("cancelled mid-transfer"));
            } catch (CancelledException expected) {
                // the transfer was cancelled before its credit
            } finally {
                c.setAutoCommit(true);
            }
            assertThat(Db.single(check, "SELECT sum(balance) FROM " + BANK)).isNotEqualTo(ACCOUNTS * 1000L);
        }
    }

    /** Thrown inside a transfer to leave it without committing (the guard rolls back). */
    private static final class InsufficientFunds extends SQLException {
        private static final long serialVersionUID = 1L;

        InsufficientFunds() {
            super("insufficient funds");
        }
    }

    private static void transfer(HikariDataSource pool, String sleep, long id, int src, int dst, int amount, Fate fate,
                                 Set<Long> sessions) throws Exception {
        CancellationSource token = CancellationSource.create();
        if (fate == Fate.BEFORE_BEGIN) {
            token.cancel("before BEGIN");
        }
        CountDownLatch sleeping = new CountDownLatch(1);
        Thread canceller = fate == Fate.AROUND_SLEEP ? Thread.ofVirtual().start(() -> {
            try {
                sleeping.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // restored: this helper thread ends here
                return;
            }
            token.cancel("around the sleep");
        }) : null;
        try {
            token.call(() -> {
                if (fate == Fate.DEADLINE) {
                    return Timeout.call(Duration.ofMillis(20), () -> body(pool, sleep, id, src, dst, amount, fate, token,
                            sleeping, sessions));
                }
                return body(pool, sleep, id, src, dst, amount, fate, token, sleeping, sessions);
            });
        } finally {
            if (canceller != null) {
                sleeping.countDown();
                canceller.join();
            }
        }
    }

    private static Void body(HikariDataSource pool, String sleep, long id, int src, int dst, int amount, Fate fate,
                             CancellationSource token, CountDownLatch sleeping, Set<Long> sessions) throws SQLException {
        return SqlTransaction.call(pool, JdbcOptions.defaults(), tx -> {
            sessions.add(Db.single(tx.connection(), tx.connection().getMetaData().getDatabaseProductName()
                    .equals("PostgreSQL") ? "SELECT pg_backend_pid()" : "SELECT connection_id()"));
            // Rows are locked in id order, so transfers never deadlock each other.
            boolean debitFirst = src < dst;
            if (debitFirst) {
                debit(tx, src, amount);
            } else {
                tx.update("UPDATE " + BANK + " SET balance = balance + ? WHERE id = ?", amount, dst);
            }
            if (fate == Fate.AFTER_FIRST_UPDATE) {
                token.cancel("after the first UPDATE");
            }
            if (fate == Fate.AROUND_SLEEP || fate == Fate.DEADLINE) {
                sleeping.countDown();
                tx.query(fate == Fate.DEADLINE ? sleep.replace("0.05", "0.2") : sleep, r -> r.getObject(1));
            }
            if (debitFirst) {
                tx.update("UPDATE " + BANK + " SET balance = balance + ? WHERE id = ?", amount, dst);
            } else {
                debit(tx, src, amount);
            }
            tx.update("INSERT INTO " + LEDGER + " VALUES (?, ?, ?, ?)", id, src, dst, amount);
            if (fate == Fate.BEFORE_COMMIT) {
                token.cancel("just before COMMIT");
            }
            tx.commit();
            return null;
        });
    }

    private static void debit(SqlTransaction tx, int account, int amount) throws SQLException {
        if (tx.update("UPDATE " + BANK + " SET balance = balance - ? WHERE id = ? AND balance >= ?",
                amount, account, amount) == 0) {
            throw new InsufficientFunds();
        }
    }
}
