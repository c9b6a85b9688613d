package org.cancelkit.jobs;

/**
 * The body of a {@link Job}: processes one item, writes its output and returns the job's next state.
 *
 * {@snippet :
 * ItemProcessor<Long, Sum> square = (index, item, sum, out) -> {
 *     out.println(index + " " + item * item);
 *     return new Sum(sum.total() + item * item);
 * };
 * }
 *
 * <p>The state passed in is the state after the items before {@code index}; the one returned goes with
 * this item into the next checkpoint. Treat states as values (a record): the job keeps the last
 * returned one and serialises it, so a state changed in place after being returned would checkpoint
 * work that is not yet done. Output written through {@code out} reaches the output file only when
 * this method returns normally; if it throws (or the job is cancelled inside it), the item's output is
 * dropped and the item is processed again on resume.
 *
 * <p>Called on the thread that runs the job, one item at a time, in order, bound to its token: the
 * body is cancelled through {@link org.cancelkit.Cancellation#check()}, cancelkit's sleeps and waits,
 * and interrupts of blocking calls, like any code under a {@link org.cancelkit.Timeout}.
 *
 * @param <I> the item type
 * @param <S> the state type
 */
@FunctionalInterface
public interface ItemProcessor<I, S> {

    /**
     * Processes one item.
     *
     * @param index the item's position in the job, from 0
     * @param item the item
     * @param state the state after every item before this one
     * @param out where this item's output goes
     * @return the state after this item; must not be null
     * @throws Exception any failure: the job saves what is done and fails with
     *         {@link ItemFailedException} naming the item
     */
    S process(long index, I item, S state, ItemOutput out) throws Exception;
}
