package org.cancelkit.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight Recorder event {@code org.cancelkit.BulkheadRejected}.
 *
 * <p>A bulkhead turned a caller away.
 */
@Name("org.cancelkit.BulkheadRejected")
@Category({"cancelkit", "Resilience"})
@Label("Bulkhead Rejected")
@Description("A bulkhead turned a caller away.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(true)
public final class BulkheadRejectedEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public BulkheadRejectedEvent() {}

    /** The bulkhead's name. */
    @Label("Bulkhead")
    @Description("The bulkhead's name.")
    public String bulkhead;

    /** The bulkhead's limit. */
    @Label("Limit")
    @Description("The bulkhead's limit.")
    public int limit;

    /** full, timed out, cancelled or interrupted. */
    @Label("Why")
    @Description("full, timed out, cancelled or interrupted.")
    public String why;
}
