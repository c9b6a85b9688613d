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
 * Flight Recorder event {@code org.cancelkit.TaskEnded}.
 *
 * <p>A task of a task group ended.
 */
@Name("org.cancelkit.TaskEnded")
@Category({"cancelkit", "Tasks"})
@Label("Task Ended")
@Description("A task of a task group ended.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class TaskEndedEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public TaskEndedEvent() {}

    /** The task's name. */
    @Label("Task")
    @Description("The task's name.")
    public String task;

    /** How the task ended. */
    @Label("Outcome")
    @Description("How the task ended.")
    public String outcome;

    /** How long the task ran, on the group's clock. */
    @Label("Ran For")
    @Description("How long the task ran, on the group's clock.")
    @Timespan(Timespan.NANOSECONDS)
    public long ran;
}
