package org.cancelkit.spring;

import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Spring's graceful shutdown driving the requests' cancellation, in two {@link SmartLifecycle}
 * phases around the web server's graceful shutdown (phase {@value #GRACEFUL}, which stops accepting
 * connections and waits for requests in flight):
 * <ol>
 *   <li>phase {@code GRACEFUL + 1}, before it: {@link RequestTokens#beginShutdown} soft-cancels every
 *       request with the configured grace (cancelled hard when it has passed);</li>
 *   <li>phase {@code GRACEFUL - 1}, after it and before the web server stops:
 *       {@link RequestTokens#finishShutdown} cancels what is left hard, waits its bounded time and
 *       reports.</li>
 * </ol>
 */
final class RequestShutdown implements SmartLifecycle {
    /** {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}: {@code SmartLifecycle.DEFAULT_PHASE - 1024}. */
    static final int GRACEFUL = SmartLifecycle.DEFAULT_PHASE - 1024;

    private final RequestTokens tokens;
    private final boolean soft;
    private final Duration time;
    /** Written by Spring's lifecycle thread (start, stop); read by it too. */
    private volatile boolean running;

    private RequestShutdown(RequestTokens tokens, boolean soft, Duration time) {
        this.tokens = tokens;
        this.soft = soft;
        this.time = time;
    }

    /** The phase that soft-cancels the requests with {@code grace}. */
    static RequestShutdown soft(RequestTokens tokens, Duration grace) {
        return new RequestShutdown(tokens, true, grace);
    }

    /** The phase that cancels hard, waits at most {@code hardWait} and reports. */
    static RequestShutdown hard(RequestTokens tokens, Duration hardWait) {
        return new RequestShutdown(tokens, false, hardWait);
    }

    /**
     * Starts the phase. After a stop (Spring's {@code stop()} then {@code start()}, or a paused test
     * context restarted) the requests get a new root: the hard phase starts first (lower phase),
     * before the soft one and the web server's graceful shutdown.
     */
    @Override
    public void start() {
        if (!soft) {
            tokens.renewAfterShutdown();
        }
        running = true;
    }

    @Override
    public void stop() {
        if (soft) {
            tokens.beginShutdown(time);
        } else {
            tokens.finishShutdown(time);
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return soft ? GRACEFUL + 1 : GRACEFUL - 1;
    }
}
