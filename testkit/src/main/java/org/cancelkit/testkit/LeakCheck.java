package org.cancelkit.testkit;

import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.cancelkit.Bulkhead;

/**
 * A leak check of your own, run with the kit's ({@link Leaks#withCheck}): for resources the kit
 * cannot see, such as bulkhead permits, pooled connections or open handles of a library.
 *
 * {@snippet :
 * Bulkhead bulkhead = ...;
 * Leaks leaks = Leaks.all().withCheck(
 *         LeakCheck.balance("bulkhead permits in use", () -> bulkhead.statistics().inUse()));
 * }
 *
 * <p>{@link #watch()} is called before the region and takes the "before" picture; the returned
 * {@link Watch} is asked for leaks after the region. Both run on the thread that watches the region.
 * An exception from either is reported as a finding of this check, never lost.
 *
 * <p>The kit cannot know your bulkheads, so none is watched by default: register each one with
 * {@link #permits(Bulkhead)}.
 */
public interface LeakCheck {

    /**
     * Returns the name shown in reports.
     *
     * @return the name shown in reports
     */
    String name();

    /**
     * Takes the picture before the region.
     *
     * @return what to ask after the region
     * @throws Exception when the picture cannot be taken
     */
    Watch watch() throws Exception;

    /** The "after" half of a leak check. */
    @FunctionalInterface
    interface Watch {
        /**
         * Compares now with the picture taken before.
         *
         * @return one readable line (or paragraph) per leak; empty when nothing leaked
         * @throws Exception when the comparison cannot be made
         */
        List<String> leaks() throws Exception;
    }

    /**
     * A check that every permit of {@code bulkhead} taken inside the region was returned: the
     * number in use ({@link Bulkhead.Statistics#inUse()}) is not higher after the region than before.
     *
     * @param bulkhead the bulkhead
     * @return the check
     */
    static LeakCheck permits(Bulkhead bulkhead) {
        Objects.requireNonNull(bulkhead, "bulkhead");
        return balance("bulkhead \"" + bulkhead.statistics().name() + "\" permits in use",
                () -> bulkhead.statistics().inUse());
    }

    /**
     * A check that a count comes back to where it was: permits in use, connections borrowed, handles
     * open. A count higher after the region than before it is a leak.
     *
     * @param name what is counted, for the report
     * @param count reads the count; called once before and once after the region
     * @return the check
     */
    static LeakCheck balance(String name, LongSupplier count) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(count, "count");
        return new LeakCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Watch watch() {
                long before = count.getAsLong();
                return () -> {
                    long after = count.getAsLong();
                    return after > before
                            ? List.of(name + ": " + before + " before, " + after + " after (" + (after - before) + " not returned)")
                            : List.of();
                };
            }

            @Override
            public String toString() {
                return "LeakCheck.balance(" + name + ")";
            }
        };
    }
}
