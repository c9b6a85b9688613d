package org.cancelkit.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.cancelkit.CancelReason;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The Actuator endpoint {@code cancelkit} ({@code /actuator/cancelkit} once exposed with
 * {@code management.endpoints.web.exposure.include=cancelkit}): the requests in flight (a bounded
 * sample, oldest first) with their deadlines, the last shutdown's report, and cancelkit's meters.
 * For debugging: it lists request paths, so expose it only where they may be seen. Thread-safe.
 */
@Endpoint(id = "cancelkit")
public final class CancelkitEndpoint {
    private final RequestTokens tokens;
    private final int sampleSize;
    private final Supplier<List<Map<String, Object>>> meters;

    /**
     * Creates the endpoint.
     *
     * @param tokens the server's request tokens
     * @param sampleSize how many requests to list at most
     * @param meters reads cancelkit's meters (an empty list without Micrometer)
     */
    public CancelkitEndpoint(RequestTokens tokens, int sampleSize, Supplier<List<Map<String, Object>>> meters) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.sampleSize = sampleSize;
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    /**
     * Returns the live requests, the last shutdown and the meters.
     *
     * @return a JSON-friendly map
     */
    @ReadOperation
    public Map<String, Object> report() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("live", tokens.liveCount());
        out.put("shuttingDown", tokens.root().isCancelled());
        List<Map<String, Object>> sample = new ArrayList<>();
        for (LiveRequest r : tokens.sample(sampleSize)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("method", r.method());
            m.put("path", r.path());
            m.put("ageMs", r.age().toMillis());
            r.token().remaining().ifPresent(left -> m.put("remainingMs", left.toMillis()));
            r.token().reason().map(CancelReason::toString).ifPresent(why -> m.put("cancelled", why));
            sample.add(m);
        }
        out.put("sample", sample);
        RequestTokens.Report last = tokens.lastShutdown();
        if (last != null) {
            out.put("lastShutdown", last);
        }
        out.put("meters", meters.get());
        return out;
    }
}
