package org.cancelkit.spring.app;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationToken;
import org.springframework.stereotype.Component;

/** What the controllers saw, for the tests to read: each request names itself with {@code ?id=}. */
@Component
public class Probe {
    /** A request's token, once its controller has started. */
    public final ConcurrentHashMap<String, CancellationToken> tokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CountDownLatch> started = new ConcurrentHashMap<>();
    /** How each request's controller ended. */
    public final ConcurrentHashMap<String, String> ended = new ConcurrentHashMap<>();

    private CountDownLatch latch(String id) {
        return started.computeIfAbsent(id, k -> new CountDownLatch(1));
    }

    /** Called by a controller when it starts. */
    public void started(String id, CancellationToken token) {
        tokens.put(id, token);
        latch(id).countDown();
    }

    /**
     * Waits until the request's controller has started.
     *
     * @return its token
     */
    public CancellationToken awaitStarted(String id) throws InterruptedException {
        if (!latch(id).await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the controller of request " + id + " did not start within 60 s (is the machine overloaded?)");
        }
        return tokens.get(id);
    }
}
