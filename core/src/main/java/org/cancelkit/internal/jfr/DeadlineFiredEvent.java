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
 * Flight Recorder event {@code org.cancelkit.DeadlineFired}.
 *
 * <p>A token's own deadline fired.
 */
@Name("org.cancelkit.DeadlineFired")
@Category({"cancelkit", "Cancellation"})
@Label("Deadline Fired")
@Description("A token's own deadline fired.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class DeadlineFiredEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public DeadlineFiredEvent() {}

    /** How long after the deadline it fired, on the token's clock. */
    @Label("Lateness")
    @Description("How long after the deadline it fired, on the token's clock.")
    @Timespan(Timespan.NANOSECONDS)
    public long lateness;
}
