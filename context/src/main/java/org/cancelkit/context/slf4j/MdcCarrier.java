package org.cancelkit.context.slf4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cancelkit.ContextCarrier;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Carries SLF4J's {@link MDC} (a trace id, a request id, a tenant) into forked work: the whole map, or
 * only the keys given.
 *
 * {@snippet :
 * ForkContext.install(MdcCarrier.all());
 * MDC.put("traceId", "4bf92f3577b34da6");
 * try (TaskGroup group = TaskGroup.open()) {
 *     group.fork("audit", () -> log.info("audited"));  // logs traceId
 *     group.join();
 * }
 * }
 *
 * <p>On the running thread the captured entries replace the MDC for the duration of the work
 * ({@link #all()}) or are put over it ({@link #keys}); afterwards the thread's MDC is exactly what it
 * was before. The MDC belongs to the logging backend: with {@code slf4j-nop} it keeps nothing, and
 * nothing is carried. Immutable and thread-safe.
 */
public final class MdcCarrier implements ContextCarrier {
    private final String @Nullable [] keys;

    private MdcCarrier(String @Nullable [] keys) {
        this.keys = keys;
    }

    /**
     * Returns a carrier of the whole MDC.
     *
     * @return the carrier
     */
    public static MdcCarrier all() {
        return new MdcCarrier(null);
    }

    /**
     * Returns a carrier of these keys only: cheaper, and other entries of the running thread stay.
     *
     * @param keys the MDC keys to carry; at least one
     * @return the carrier
     * @throws IllegalArgumentException when no key is given
     */
    public static MdcCarrier keys(String... keys) {
        if (keys.length == 0) {
            throw new IllegalArgumentException("name at least one MDC key, or use MdcCarrier.all() for the whole MDC");
        }
        for (String k : keys) {
            Objects.requireNonNull(k, "an MDC key");
        }
        return new MdcCarrier(keys.clone());
    }

    @Override
    public Captured capture() {
        String[] ks = keys;
        if (ks == null) {
            Map<String, String> copy = MDC.getCopyOfContextMap();
            return () -> replaceWith(copy);
        }
        String[] values = new String[ks.length];
        for (int i = 0; i < ks.length; i++) {
            values[i] = MDC.get(ks[i]);
        }
        return () -> putOver(ks, values);
    }

    private static Runnable replaceWith(@Nullable Map<String, String> captured) {
        Map<String, String> before = MDC.getCopyOfContextMap();
        setAll(captured);
        return () -> setAll(before);
    }

    private static void setAll(@Nullable Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            MDC.clear();
        } else {
            MDC.setContextMap(map);
        }
    }

    private static Runnable putOver(String[] ks, @Nullable String[] values) {
        Map<String, @Nullable String> before = new HashMap<>();
        for (int i = 0; i < ks.length; i++) {
            before.put(ks[i], MDC.get(ks[i]));
            put(ks[i], values[i]);
        }
        return () -> before.forEach(MdcCarrier::put);
    }

    private static void put(String key, @Nullable String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    @Override
    public String toString() {
        String[] ks = keys;
        return ks == null ? "MdcCarrier[all]" : "MdcCarrier" + Arrays.toString(ks);
    }

    /**
     * Returns the keys carried.
     *
     * @return the keys, or empty for the whole MDC
     */
    public List<String> carriedKeys() {
        String[] ks = keys;
        return ks == null ? List.of() : List.of(ks);
    }
}
