/**
 * cancelkit core: cancellation tokens, deadlines, timeouts, shields, cancel-action regions and the
 * clock that drives them. No dependency outside the JDK.
 *
 * <p>Start with {@link org.cancelkit.Timeout}, {@link org.cancelkit.CancellationToken} and
 * {@link org.cancelkit.Cancellation}.
 */
// "module": the testing kit is built after the core, so javac cannot see it yet.
@SuppressWarnings("module")
module org.cancelkit {
    requires static transitive org.jspecify;
    // Flight Recorder events (part of the JDK): the emission points commit them when a recording enables them.
    requires jdk.jfr;

    exports org.cancelkit;
    // The clock service provider interface: time, timers and wait notifications of a non-system clock.
    exports org.cancelkit.spi;
    // The cancellation-point hook and the timers, for the testing kit alone.
    exports org.cancelkit.internal to org.cancelkit.testkit;
}
