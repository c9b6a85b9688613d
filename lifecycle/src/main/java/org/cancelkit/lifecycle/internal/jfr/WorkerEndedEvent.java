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
 * Flight Recorder event {@code org.cancelkit.lifecycle.WorkerEnded}.
 *
 * <p>How a worker ended in a shutdown.
 */
@Name("org.cancelkit.lifecycle.WorkerEnded")
@Category({"cancelkit", "Shutdown"})
@Label("Worker Ended")
@Description("How a worker ended in a shutdown.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class WorkerEndedEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public WorkerEndedEvent() {}

    /** The worker's path. */
    @Label("Worker")
    @Description("The worker's path.")
    public String worker;

    /** How it ended. */
    @Label("Outcome")
    @Description("How it ended.")
    public String outcome;

    /** From the soft cancel to its end. */
    @Label("Stop Time")
    @Description("From the soft cancel to its end.")
    @Timespan(Timespan.NANOSECONDS)
    public long stopTime;

    /** How long it ran. */
    @Label("Ran")
    @Description("How long it ran.")
    @Timespan(Timespan.NANOSECONDS)
    public long ran;
}
