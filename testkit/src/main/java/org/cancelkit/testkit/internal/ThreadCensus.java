package org.cancelkit.testkit.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Every live thread of the JVM, virtual threads included, read from the JDK's JSON thread dump
 * ({@link HotSpotDiagnosticMXBean#dumpThreads}, the same dump as {@code jcmd Thread.dump_to_file}).
 *
 * <p>Why a dump: {@link Thread#getAllStackTraces()} and the {@code ThreadMXBean} list platform
 * threads only. The dump lists every platform thread and every virtual thread that the JDK tracks:
 * with the default {@code jdk.trackAllThreads=true}, that is every started virtual thread, whether
 * started directly, by an executor or by a structured task scope. Thread ids are never reused, so a
 * census before and one after a region tell which threads it started and left running.
 *
 * <p>Thread-safe: each census writes its own file in a private directory and deletes it.
 */
public final class ThreadCensus {
    private ThreadCensus() {}

    /**
     * One live thread.
     *
     * @param tid the thread id ({@link Thread#threadId()}), never reused
     * @param name the name, maybe empty
     * @param virtual whether it is a virtual thread
     * @param container the thread container it belongs to, as the dump names it
     * @param state the thread state, as the dump names it
     * @param stack its stack, innermost frame first, as the dump prints frames
     */
    public record LiveThread(long tid, String name, boolean virtual, String container, String state,
                             List<String> stack) {}

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Object DIRECTORY_LOCK = new Object();
    /** Created on first use; guarded by {@link #DIRECTORY_LOCK}. */
    private static @Nullable Path directory;

    /**
     * Takes a census of the live threads.
     *
     * @return every live thread
     * @throws UncheckedIOException when the dump cannot be written or read
     */
    public static List<LiveThread> take() {
        Path file = directory().resolve("threads-" + SEQUENCE.incrementAndGet() + ".json");
        try {
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            bean.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take a thread dump into " + file, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort: the directory is deleted when the JVM exits
            }
        }
    }

    private static Path directory() {
        synchronized (DIRECTORY_LOCK) {
            Path d = directory;
            if (d == null) {
                try {
                    d = Files.createTempDirectory("cancelkit-census");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create a directory for thread dumps", e);
                }
                d.toFile().deleteOnExit();
                directory = d;
            }
            return d;
        }
    }

    /**
     * Reads a JSON thread dump.
     *
     * @param json the dump
     * @return its threads
     */
    static List<LiveThread> parse(String json) {
        List<LiveThread> threads = new ArrayList<>();
        Map<?, ?> dump = (Map<?, ?>) field(Json.parse(json), "threadDump");
        for (Object c : (List<?>) field(dump, "threadContainers")) {
            String container = String.valueOf(field(c, "container"));
            Object list = ((Map<?, ?>) c).get("threads");
            if (!(list instanceof List<?> ts)) {
                continue;
            }
            for (Object t : ts) {
                Map<?, ?> m = (Map<?, ?>) t;
                List<String> stack = new ArrayList<>();
                if (m.get("stack") instanceof List<?> frames) {
                    for (Object f : frames) {
                        stack.add(String.valueOf(f));
                    }
                }
                threads.add(new LiveThread(
                        Long.parseLong(String.valueOf(field(m, "tid"))),
                        String.valueOf(m.get("name") == null ? "" : m.get("name")),
                        Boolean.TRUE.equals(m.get("virtual")),
                        container,
                        String.valueOf(m.get("state") == null ? "" : m.get("state")),
                        List.copyOf(stack)));
            }
        }
        return threads;
    }

    private static Object field(@Nullable Object object, String name) {
        if (!(object instanceof Map<?, ?> map) || map.get(name) == null) {
            throw new IllegalArgumentException("unexpected thread dump: no \"" + name + "\" in " + object);
        }
        return map.get(name);
    }
}
