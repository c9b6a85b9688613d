package org.cancelkit.jdbc.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight Recorder event {@code org.cancelkit.jdbc.TransactionEnded}.
 *
 * <p>A SQL transaction ended: committed, rolled back, aborted, or with its commit's outcome unknown.
 */
@Name("org.cancelkit.jdbc.TransactionEnded")
@Category({"cancelkit", "SQL"})
@Label("Transaction Ended")
@Description("A SQL transaction ended: committed, rolled back, aborted, or with its commit's outcome unknown.")
@Enabled(false) // off unless a recording's settings (cancelkit.jfc) switch it on
@StackTrace(false)
public final class TransactionEndedEvent extends Event {
    /** An event with its fields unset, to be filled and committed by the emission point. */
    public TransactionEndedEvent() {}

    /** COMMITTED, ROLLED_BACK, ABORTED or OUTCOME_UNKNOWN. */
    @Label("Outcome")
    @Description("COMMITTED, ROLLED_BACK, ABORTED or OUTCOME_UNKNOWN.")
    public String outcome;
}
