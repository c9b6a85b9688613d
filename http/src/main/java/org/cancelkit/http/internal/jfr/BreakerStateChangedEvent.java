package org.cancelkit.http.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight Recorder event {@code org.cancelkit.http.BreakerStateChanged}.
 *
 * <p>A circuit breaker used by a cancelkit HTTP client changed state.
 */
@Name("org.cancelkit.http.BreakerStateChanged")
@Category({"cancelkit", "HTTP"})
@Label("Breaker State Changed")
@Description("A circuit breaker used by a cancelkit HTTP client changed state (closed, open, half-open, ...).")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class BreakerStateChangedEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public BreakerStateChangedEvent() {}

    /** The breaker's name. */
    @Label("Breaker")
    @Description("The breaker's name.")
    public String breaker;

    /** The state it left. */
    @Label("From")
    @Description("The state it left.")
    public String from;

    /** The state it entered. */
    @Label("To")
    @Description("The state it entered.")
    public String to;
}
