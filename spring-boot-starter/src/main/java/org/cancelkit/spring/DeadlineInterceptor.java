package org.cancelkit.spring;

import java.io.IOException;
import java.util.Objects;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A {@code RestClient} / {@code RestTemplate} interceptor that passes the current deadline on (H4):
 * the remaining time of {@link Cancellation#current()} goes to the next service in the deadline
 * header, and a call on a cancelled token is not sent.
 *
 * <p>The call itself is stopped at the deadline by the interrupt that reaches the thread bound to the
 * token: with the JDK's {@code HttpClient} ({@code JdkClientHttpRequestFactory}, what Spring Boot picks
 * when no other HTTP client library is present) the exchange is abandoned and its connection closed.
 * A client that ignores interrupts (the JDK's {@code HttpURLConnection} on a platform thread) runs to
 * its own timeout. Thread-safe.
 */
public final class DeadlineInterceptor implements ClientHttpRequestInterceptor {
    private final String header;

    /**
     * Creates the interceptor.
     *
     * @param header the deadline header's name
     */
    public DeadlineInterceptor(String header) {
        this.header = Objects.requireNonNull(header, "header");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        CancellationToken current = Cancellation.current();
        current.throwIfCancelled();
        current.remaining().ifPresent(left -> request.getHeaders().set(header, DeadlineHeaderValue.format(left)));
        return execution.execute(request, body);
    }
}
