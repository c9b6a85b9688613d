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
 * Flight Recorder event {@code org.cancelkit.CancelAction}.
 *
 * <p>A cancel-action region ran its action (instead of an interrupt) or its escalation.
 */
@Name("org.cancelkit.CancelAction")
@Category({"cancelkit", "Cancellation"})
@Label("Cancel Action")
@Description("A cancel-action region ran its action (instead of an interrupt) or its escalation.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class CancelActionEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public CancelActionEvent() {}

    /** False for the action, true for the escalation. */
    @Label("Escalation")
    @Description("False for the action, true for the escalation.")
    public boolean escalation;

    /** The grace before the escalation. */
    @Label("Grace")
    @Description("The grace before the escalation.")
    @Timespan(Timespan.NANOSECONDS)
    public long grace;

    /** True when it threw. */
    @Label("Failed")
    @Description("True when it threw.")
    public boolean failed;
}
