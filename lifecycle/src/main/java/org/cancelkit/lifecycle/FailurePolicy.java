package org.cancelkit.lifecycle;

/** What an {@link Application} does when a worker's body fails (throws something other than its cancellation) while the application runs. */
public enum FailurePolicy {
    /** Shut the whole application down, the failure as the reason (the default). */
    SHUT_DOWN,
    /** Keep the other workers running; the failure is still reported at shutdown. */
    KEEP_RUNNING
}
