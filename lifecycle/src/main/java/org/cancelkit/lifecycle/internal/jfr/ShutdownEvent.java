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
 * Flight Recorder event {@code org.cancelkit.lifecycle.Shutdown}.
 *
 * <p>An application's graceful shutdown, from its start to its report.
 */
@Name("org.cancelkit.lifecycle.Shutdown")
@Category({"cancelkit", "Shutdown"})
@Label("Shutdown")
@Description("An application's graceful shutdown, from its start to its report.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class ShutdownEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public ShutdownEvent() {}

    /** The application's name. */
    @Label("Application")
    @Description("The application's name.")
    public String application;

    /** Why it shut down. */
    @Label("Reason")
    @Description("Why it shut down.")
    public String reason;

    /** The shutdown's budget. */
    @Label("Budget")
    @Description("The shutdown's budget.")
    @Timespan(Timespan.NANOSECONDS)
    public long budget;

    /** True when every worker stopped gracefully. */
    @Label("Graceful")
    @Description("True when every worker stopped gracefully.")
    public boolean graceful;

    /** True when the shutdown was escalated. */
    @Label("Escalated")
    @Description("True when the shutdown was escalated.")
    public boolean escalated;
}
