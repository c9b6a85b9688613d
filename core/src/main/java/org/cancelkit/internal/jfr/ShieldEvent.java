package org.cancelkit.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Flight Recorder event {@code org.cancelkit.Shield}.
 *
 * <p>A shielded cleanup region: outer cancellation does not reach it; its own budget still applies.
 */
@Name("org.cancelkit.Shield")
@Category({"cancelkit", "Cancellation"})
@Label("Shield")
@Description("A shielded cleanup region: outer cancellation does not reach it; its own budget still applies.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class ShieldEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public ShieldEvent() {}

    /** How long the cleanup may take. */
    @Label("Budget")
    @Description("How long the cleanup may take.")
    @Timespan(Timespan.NANOSECONDS)
    public long budget;

    /** How long the cleanup ran, on the tree's clock. */
    @Label("Elapsed")
    @Description("How long the cleanup ran, on the tree's clock.")
    @Timespan(Timespan.NANOSECONDS)
    public long elapsed;

    /** True when the budget ran out before the cleanup ended. */
    @Label("Over Budget")
    @Description("True when the budget ran out before the cleanup ended.")
    public boolean overBudget;
}
