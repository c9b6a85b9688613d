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
 * Flight Recorder event {@code org.cancelkit.TokenCancelled}.
 *
 * <p>A token was cancelled: its reason, soft or hard, how many tokens the cancel marked and how long that took.
 */
@Name("org.cancelkit.TokenCancelled")
@Category({"cancelkit", "Cancellation"})
@Label("Token Cancelled")
@Description("A token was cancelled: its reason, soft or hard, how many tokens the cancel marked and how long that took.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class TokenCancelledEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public TokenCancelledEvent() {}

    /** The kind of the cancel's reason. */
    @Label("Reason Kind")
    @Description("The kind of the cancel's reason.")
    public String kind;

    /** The cancel's reason. */
    @Label("Reason")
    @Description("The cancel's reason.")
    public String message;

    /** True for a hard cancel, false for a soft one with a grace period. */
    @Label("Hard")
    @Description("True for a hard cancel, false for a soft one with a grace period.")
    public boolean hard;

    /** True when an earlier soft cancel turned hard (not a new cancel). */
    @Label("Hardening")
    @Description("True when an earlier soft cancel turned hard (not a new cancel).")
    public boolean hardening;

    /** How many tokens the cancel marked. */
    @Label("Subtree Size")
    @Description("How many tokens the cancel marked.")
    public int subtreeSize;

    /** How long marking the subtree took. */
    @Label("Propagation Time")
    @Description("How long marking the subtree took.")
    @Timespan(Timespan.NANOSECONDS)
    public long propagation;
}
