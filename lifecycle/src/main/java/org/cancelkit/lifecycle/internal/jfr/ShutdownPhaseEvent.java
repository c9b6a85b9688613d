package org.cancelkit.lifecycle.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Flight Recorder event {@code org.cancelkit.lifecycle.ShutdownPhase}.
 *
 * <p>The shutdown sent a worker its soft cancel (with a grace period) or its hard cancel.
 */
@Name("org.cancelkit.lifecycle.ShutdownPhase")
@Category({"cancelkit", "Shutdown"})
@Label("Shutdown Phase")
@Description("The shutdown sent a worker its soft cancel (with a grace period) or its hard cancel.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class ShutdownPhaseEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public ShutdownPhaseEvent() {}

    /** The worker's path. */
    @Label("Worker")
    @Description("The worker's path.")
    public String worker;

    /** soft or hard. */
    @Label("Phase")
    @Description("soft or hard.")
    public String phase;

    /** The grace given with a soft cancel. */
    @Label("Grace")
    @Description("The grace given with a soft cancel.")
    @Timespan(Timespan.NANOSECONDS)
    public long grace;
}
