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
 * Flight Recorder event {@code org.cancelkit.TaskAbandoned}.
 *
 * <p>A task outlived its group's close grace and was left running.
 */
@Name("org.cancelkit.TaskAbandoned")
@Category({"cancelkit", "Tasks"})
@Label("Task Abandoned")
@Description("A task outlived its group's close grace and was left running.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(true)
public final class TaskAbandonedEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public TaskAbandonedEvent() {}

    /** The task's name. */
    @Label("Task")
    @Description("The task's name.")
    public String task;

    /** How long since it was forked, on the group's clock. */
    @Label("Running For")
    @Description("How long since it was forked, on the group's clock.")
    @Timespan(Timespan.NANOSECONDS)
    public long running;
}
