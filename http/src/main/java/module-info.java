/**
 * cancelkit http: a deadline-bound client over {@link java.net.http.HttpClient} with a bulkhead and a
 * circuit breaker, fan-out under an overall deadline, and a Jetty 12 handler wrapper that adopts the
 * caller's deadline and cancels a handler whose client went away.
 *
 * <p>Start with {@link org.cancelkit.http.DeadlineClient}, {@link org.cancelkit.http.FanOut} and
 * {@link org.cancelkit.http.DeadlineHandler}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.cancelkit.http {
    requires transitive org.cancelkit;
    requires transitive java.net.http;
    // Resilience4j 2.4.0 ships no module descriptor: it is an automatic module.
    requires transitive io.github.resilience4j.circuitbreaker;
    requires transitive org.eclipse.jetty.server;
    requires static transitive org.jspecify;

    exports org.cancelkit.http;
}
