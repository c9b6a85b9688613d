package org.cancelkit.jobs.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight Recorder event {@code org.cancelkit.jobs.CheckpointWritten}.
 *
 * <p>A job wrote its checkpoint (atomically: the old one or the new one, never a torn one).
 */
@Name("org.cancelkit.jobs.CheckpointWritten")
@Category({"cancelkit", "Jobs"})
@Label("Checkpoint Written")
@Description("A job wrote its checkpoint (atomically: the old one or the new one, never a torn one).")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class CheckpointWrittenEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public CheckpointWrittenEvent() {}

    /** The job's id. */
    @Label("Job")
    @Description("The job's id.")
    public String job;

    /** The first item not yet done. */
    @Label("Next Item")
    @Description("The first item not yet done.")
    public long nextItem;

    /** How many items the job has. */
    @Label("Total Items")
    @Description("How many items the job has.")
    public long totalItems;
}
