package org.cancelkit.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Consumer;

/**
 * What a servlet container reports, beyond the servlet API, when a request fails while its handler
 * runs (a client's HTTP/2 reset): the servlet API tells only an asynchronous request
 * ({@code AsyncListener.onError}) and a write that fails.
 *
 * <p>Implementations are thread-safe; {@code failed} may be called on a container thread, at most
 * once per request, and never after the request has completed.
 */
@FunctionalInterface
interface RequestFailures {
    /** Reports nothing beyond the servlet API (Tomcat; any container without its own support). */
    RequestFailures NONE = (request, failed) -> {};

    /**
     * Tells {@code failed} when the container finds {@code request} failed, if it can.
     *
     * @param request a request being handled, on its handling thread
     * @param failed called with the container's cause
     */
    void watch(HttpServletRequest request, Consumer<Throwable> failed);
}
