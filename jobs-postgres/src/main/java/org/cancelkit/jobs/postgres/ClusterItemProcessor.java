package org.cancelkit.jobs.postgres;

import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jobs.ItemOutput;

/**
 * The body of a {@link ClusterJob}: processes one item, writes its output, and returns the partition's
 * next state. Its database writes go through {@code tx}, the transaction that also commits the
 * checkpoint counting this item, so they persist exactly once (J1, J4).
 *
 * {@snippet :
 * ClusterItemProcessor<Long, Sum> square = (index, item, sum, out, tx) -> {
 *     tx.update("INSERT INTO squares (n, square) VALUES (?, ?)", item, item * item); // with the checkpoint
 *     out.println(index + " " + item * item);                                        // the output table
 *     return new Sum(sum.total() + item * item);
 * };
 * }
 *
 * <p>An item that throws, or is cancelled, is rolled back alone (a savepoint is set before its first
 * statement), and the items before it commit with their checkpoint. An item must not commit or roll
 * back {@code tx} itself (that is refused with an {@link java.sql.SQLException}); use
 * {@link SqlTransaction#update}, {@link SqlTransaction#query} and {@link SqlTransaction#call}, which are
 * cancelled on the server (D2), and prepare statements within the item.
 *
 * <p>Called on the worker's thread, one item at a time, in order within a partition, bound to the
 * partition's token: the job's cancel, a local drain and a lost lease all reach it as a cancellation.
 *
 * @param <I> the item type
 * @param <S> the state type
 */
@FunctionalInterface
public interface ClusterItemProcessor<I, S> {

    /**
     * Processes one item.
     *
     * @param index the item's position in the job, from 0
     * @param item the item
     * @param state the state after the partition's items before this one
     * @param out where this item's output goes (the output table, in the checkpoint's transaction)
     * @param tx the open transaction of the current chunk of items
     * @return the state after this item; must not be null
     * @throws Exception any failure: the items before it are checkpointed, the worker fails with
     *         {@link org.cancelkit.jobs.ItemFailedException} naming the item
     */
    S process(long index, I item, S state, ItemOutput out, SqlTransaction tx) throws Exception;
}
