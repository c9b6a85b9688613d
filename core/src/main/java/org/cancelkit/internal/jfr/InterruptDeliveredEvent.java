package org.cancelkit.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight Recorder event {@code org.cancelkit.InterruptDelivered}.
 *
 * <p>Cancelkit interrupted a thread bound to a cancelled token.
 */
@Name("org.cancelkit.InterruptDelivered")
@Category({"cancelkit", "Cancellation"})
@Label("Interrupt Delivered")
@Description("cancelkit interrupted a thread bound to a cancelled token.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(true)
public final class InterruptDeliveredEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public InterruptDeliveredEvent() {}

    /** The thread that was interrupted. */
    @Label("Interrupted Thread")
    @Description("The thread that was interrupted.")
    public Thread interrupted;

    /** The kind of the cancel's reason. */
    @Label("Reason Kind")
    @Description("The kind of the cancel's reason.")
    public String kind;
}
