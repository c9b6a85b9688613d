/**
 * cancelkit micrometer: Micrometer meters for timeouts, cancels by reason, task outcomes, bulkheads,
 * shutdowns and jobs.
 *
 * <p>Start with {@link org.cancelkit.micrometer.CancelkitMeters}.
 */
// "requires-automatic": micrometer-core is an automatic module.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.cancelkit.micrometer {
    requires transitive org.cancelkit;
    requires transitive micrometer.core;
    requires static transitive org.cancelkit.jobs;
    requires static transitive org.cancelkit.lifecycle;
    requires static transitive org.jspecify;

    exports org.cancelkit.micrometer;
}
