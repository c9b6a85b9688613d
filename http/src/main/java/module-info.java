/**
 * cancelkit http: a deadline-bound client over {@link java.net.http.HttpClient} with a bulkhead and a
 * circuit breaker, fan-out under an overall deadline, and the header that carries a deadline to the
 * next service. No server: the Jetty handler that adopts the header is in module
 * {@code org.cancelkit.jetty} (artifact {@code cancelkit-jetty}).
 *
 * <p>Start with {@link org.cancelkit.http.DeadlineClient} and {@link org.cancelkit.http.FanOut}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.cancelkit.http {
    requires transitive org.cancelkit;
    requires transitive java.net.http;
    // Resilience4j 2.4.0 ships no module descriptor: it is an automatic module.
    requires transitive io.github.resilience4j.circuitbreaker;
    requires io.github.resilience4j.core; // the breaker's event publisher, watched for state changes
    requires static transitive org.jspecify;
    // Flight Recorder events (part of the JDK), committed when a recording enables them.
    requires jdk.jfr;

    exports org.cancelkit.http;
}
