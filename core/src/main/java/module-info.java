/**
 * cancelkit core: cancellation tokens, deadlines, timeouts, shields, cancel-action regions and the
 * clock that drives them. No dependency outside the JDK.
 *
 * <p>Start with {@link org.cancelkit.Timeout}, {@link org.cancelkit.CancellationToken} and
 * {@link org.cancelkit.Cancellation}.
 */
module org.cancelkit {
    requires static transitive org.jspecify;

    exports org.cancelkit;
}
