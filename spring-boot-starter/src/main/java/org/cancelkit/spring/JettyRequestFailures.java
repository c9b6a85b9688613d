package org.cancelkit.spring;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Consumer;
import org.eclipse.jetty.ee11.servlet.ServletApiRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;

/**
 * Jetty 12's request failure, reported to blocking requests too: Jetty's core request takes failure
 * listeners ({@code Request.addFailureListener}), which Jetty calls when the request fails while it is
 * handled. Over HTTP/2 (h2c too) that is a client's RST_STREAM ({@code EofException: Reset
 * cancel_stream_error}), which the servlet API reports only to an asynchronous request. Over HTTP/1.1
 * Jetty does not watch the connection while a handler neither reads nor writes, so nothing is
 * reported there (the starter's README, "Client disconnects").
 *
 * <p>Loaded only when Jetty's EE 11 servlet classes are present; a request that is not Jetty's (Tomcat
 * on the same class path) is left alone. Thread-safe: holds no state.
 */
final class JettyRequestFailures implements RequestFailures {
    @Override
    public void watch(HttpServletRequest request, Consumer<Throwable> failed) {
        if (isJettys(request)) {
            ServletContextRequest.getServletContextRequest(request).addFailureListener(failed);
        }
    }

    /** Whether the request, under any wrappers, is Jetty's (Jetty's look-up throws for another's). */
    private static boolean isJettys(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper w) {
            r = w.getRequest();
        }
        return r instanceof ServletApiRequest;
    }
}
