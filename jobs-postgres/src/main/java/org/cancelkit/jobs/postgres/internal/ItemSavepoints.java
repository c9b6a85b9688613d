package org.cancelkit.jobs.postgres.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import org.cancelkit.Cancellation;
import org.cancelkit.jdbc.Statements;
import org.jspecify.annotations.Nullable;

/**
 * The chunk's connection as items see it: a savepoint is set before an item's first statement, so an
 * item that fails or is cancelled is rolled back alone and the items before it still commit with their
 * checkpoint; and the item cannot end the transaction itself (commit, rollback, autocommit), which
 * would separate its writes from the checkpoint that counts them.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li>An item that creates no statement costs nothing: the savepoint is set lazily, when the item
 *       asks the connection for its first statement.</li>
 *   <li>The previous item's savepoint is released in the same round trip as the next one is set.</li>
 *   <li>While an item runs, nothing may end the transaction; between items the runner does.</li>
 *   <li>{@code ROLLBACK TO SAVEPOINT} goes back to the running item's own savepoint or not at all:
 *       the name is shared, so going back to an earlier item's savepoint would undo that item's
 *       writes while the checkpoint still counts it. Hence the savepoint statement runs shielded (a
 *       cancel cannot stop it half sent, it lands on the item's own statement after it), the item
 *       counts as having its savepoint only once that statement has succeeded, and when it failed
 *       the server's savepoints are unknown: the chunk is broken, no item of it is rolled back alone
 *       and nothing of it commits ({@link #requireIntact}); its previous checkpoint stands.</li>
 * </ol>
 *
 * <p>Confined to the worker thread that runs the partition.
 */
public final class ItemSavepoints {
    private static final String NAME = "cancelkit_item";
    private static final Set<String> STATEMENTS = Set.of("createStatement", "prepareStatement", "prepareCall");
    private static final Set<String> ENDS = Set.of("commit", "rollback", "setAutoCommit", "setSavepoint",
            "releaseSavepoint", "close", "abort");

    private final Connection real;
    private final Connection proxy;
    private final Duration budget;
    /** An item is running. */
    private boolean inItem;
    /** The running item has its savepoint. */
    private boolean itemHasSavepoint;
    /** A savepoint of an earlier item of this transaction is still declared (rule 2). */
    private boolean staleSavepoint;
    /** A savepoint statement of this transaction failed: what the server holds is unknown (rule 4). */
    private @Nullable SQLException broken;

    /**
     * Wraps a connection.
     *
     * @param real the chunk's connection
     * @param budget how long a savepoint statement may take, shielded from cancellation (rule 4)
     */
    public ItemSavepoints(Connection real, Duration budget) {
        this.real = real;
        this.budget = budget;
        this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new Handler());
    }

    /**
     * Returns the connection to give the items' transaction.
     *
     * @return the connection to give the items' transaction
     */
    public Connection connection() {
        return proxy;
    }

    /** A new transaction begins: no savepoint is declared. */
    public void newTransaction() {
        staleSavepoint = false;
        itemHasSavepoint = false;
        inItem = false;
        broken = null;
    }

    /** An item begins. */
    public void beginItem() {
        inItem = true;
        itemHasSavepoint = false;
    }

    /** The item ended normally: its writes stay in the transaction. */
    public void endItem() {
        inItem = false;
        if (itemHasSavepoint) {
            staleSavepoint = true;
        }
    }

    /**
     * The item failed or was cancelled: undo its writes, so the items before it can commit.
     *
     * @throws SQLException when the rollback to the savepoint fails, or the chunk is broken (rule 4):
     *     then nothing of the chunk commits
     */
    public void rollbackItem() throws SQLException {
        boolean running = inItem;
        inItem = false;
        requireIntact();
        if (running && itemHasSavepoint) { // an ended item's writes stay: they are counted by the checkpoint
            execute("ROLLBACK TO SAVEPOINT " + NAME);
            staleSavepoint = true;
        }
    }

    /**
     * Fails when a savepoint statement of this transaction failed (rule 4): the chunk must not commit.
     *
     * @throws SQLException saying so, with the savepoint statement's failure as its cause
     */
    public void requireIntact() throws SQLException {
        if (broken != null) {
            throw new SQLException("an item's savepoint could not be set (" + broken.getMessage() + "), so the "
                    + "chunk's items cannot be rolled back one by one: the chunk is rolled back whole and the "
                    + "partition stays at its previous checkpoint", broken.getSQLState(), broken);
        }
    }

    private void beforeStatement() throws SQLException {
        requireIntact();
        if (inItem && !itemHasSavepoint) {
            String sql = (staleSavepoint ? "RELEASE SAVEPOINT " + NAME + "; " : "") + "SAVEPOINT " + NAME;
            try {
                Cancellation.shielded(budget, () -> execute(sql)); // rule 4: never stopped half sent
            } catch (SQLException | RuntimeException e) {
                broken = e instanceof SQLException failed ? failed : new SQLException(e.getMessage(), e);
                throw e;
            }
            itemHasSavepoint = true; // only now: the statement above went through the real connection
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = real.createStatement()) {
            Statements.call(s, st -> st.execute(sql)); // cancelled on the server, never by an interrupt (D2)
        }
    }

    private final class Handler implements InvocationHandler {
        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (method.getDeclaringClass() == Object.class) {
                return switch (name) {
                    case "equals" -> self == args[0];
                    case "hashCode" -> System.identityHashCode(self);
                    default -> "items' view of " + real;
                };
            }
            if (STATEMENTS.contains(name)) {
                beforeStatement();
            } else if (ENDS.contains(name) && inItem) { // rule 3
                throw new SQLException("an item must not " + name + " the job's transaction: its writes commit "
                        + "together with the checkpoint that counts them (use tx.update, tx.query and tx.call only)");
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
