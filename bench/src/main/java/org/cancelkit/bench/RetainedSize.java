package org.cancelkit.bench;

import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import kotlinx.coroutines.Job;
import org.cancelkit.CancellationSource;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;
import org.jspecify.annotations.Nullable;
import org.openjdk.jol.vm.VM;

/**
 * Benchmark 3: the bytes an idle child token retains, measured with JOL's {@link GraphLayout} as the
 * growth of the graph reachable from the parent. Run in its own JVM with
 * {@code -Djdk.attach.allowAttachSelf=true -XX:+EnableDynamicAgentLoading}.
 *
 * <p>Reported both ways, honestly:
 * <ul>
 *   <li>the first child of a parent (it also pays for what the parent creates for its first child), the
 *       second (a root that holds two children at once spreads them over stripes from then on: the second
 *       pays for those), and the steady-state cost of each further child (average over {@value #MORE}
 *       more);</li>
 *   <li>with a one-hour deadline: the graph from the parent alone (the token), and the graph from the
 *       parent plus the system timer's heap and inbox (the token and its timer entry, which the timer
 *       holds, not the token).</li>
 * </ul>
 * The peer, kotlinx.coroutines: a {@code Job(parent)}, measured the same way from its parent {@code Job}.
 */
public final class RetainedSize {
    static final int MORE = 1000;
    /** The core's classes whose instance sizes are reported: a node (the source), its scope (also its deadline's timer entry), a view. */
    static final List<String> CLASSES = List.of("org.cancelkit.Node", "org.cancelkit.Scope", "org.cancelkit.TokenView");

    private RetainedSize() {}

    /**
     * Runs the measurement and prints {@code RESULT} lines.
     *
     * @param args none
     * @throws Exception when reflection on the timer fails unexpectedly
     */
    public static void main(String[] args) throws Exception {
        Out.result("jol.vm", VM.current().details().lines()
                .filter(l -> l.contains("VM mode") || l.contains("Compressed") || l.contains("Object alignment"))
                .map(l -> l.replace("#", "").strip()).reduce((a, b) -> a + "; " + b).orElse("?"));
        Out.result("jol.header", Integer.toString(VM.current().objectHeaderSize()));

        // Instance sizes of the classes involved.
        for (String name : CLASSES) {
            String simple = name.substring(name.lastIndexOf('.') + 1).replace('$', '.');
            try {
                Class<?> c = Class.forName(name);
                Out.result("class." + simple, Long.toString(ClassLayout.parseClass(c).instanceSize()));
            } catch (ClassNotFoundException e) {
                Out.result("class." + simple, "no such class in this core");
            }
        }

        // With a one-hour deadline, the token plus what the system timer holds for it. First, while
        // the timer's heap holds nothing else: later phases leave retired entries in it.
        Object[] timerRoots = timerRoots();
        if (timerRoots == null) {
            Out.result("deadlineWithTimer.error", "the system timer's heap could not be reached by reflection");
        } else {
            measure("deadlineWithTimer", parent -> parent.child(Duration.ofHours(1)), timerRoots);
        }
        // With a one-hour deadline: the parent's graph only.
        measure("deadline", parent -> parent.child(Duration.ofHours(1)), null);
        // Without a deadline.
        measure("plain", parent -> parent.child(), null);
        // The peer: a kotlinx.coroutines Job(parent), measured the same way from its parent Job.
        Job parentJob = Kx.job(null);
        try {
            measure("kotlinxJob", parentJob, parent -> Kx.job(parent), null);
        } finally {
            Kx.cancel(parentJob);
        }
    }

    interface Maker<P> {
        Object make(P parent);
    }

    private static void measure(String key, Maker<CancellationSource> maker, Object @Nullable [] extraRoots)
            throws InterruptedException {
        try (CancellationSource parent = CancellationSource.create()) {
            measure(key, parent, maker, extraRoots);
        }
    }

    private static <P> void measure(String key, P parent, Maker<P> maker, Object @Nullable [] extraRoots)
            throws InterruptedException {
        List<Object> keep = new ArrayList<>();
        // An unrelated armed deadline, so the timer thread is started and settled before the baseline.
        CancellationSource warm = CancellationSource.create().child(Duration.ofHours(2));
        try {
            Thread.sleep(50);
            GraphLayout base = layout(parent, extraRoots);
            keep.add(maker.make(parent));
            Thread.sleep(100); // the timer drains its inbox into its heap
            GraphLayout first = layout(parent, extraRoots);
            keep.add(maker.make(parent));
            Thread.sleep(100);
            GraphLayout second = layout(parent, extraRoots);
            for (int i = 0; i < MORE; i++) {
                keep.add(maker.make(parent));
            }
            Thread.sleep(100);
            GraphLayout more = layout(parent, extraRoots);
            Out.result(key + ".first", Long.toString(first.totalSize() - base.totalSize()));
            Out.result(key + ".first.objects", composition(base, first, 1));
            Out.result(key + ".second", Long.toString(second.totalSize() - first.totalSize()));
            Out.result(key + ".second.objects", composition(first, second, 1));
            Out.result(key + ".each", String.format("%.1f", (more.totalSize() - second.totalSize()) / (double) MORE));
            Out.result(key + ".each.objects", composition(second, more, MORE));
            Reference.reachabilityFence(keep);
        } finally {
            warm.close();
        }
    }

    private static GraphLayout layout(Object parent, Object @Nullable [] extraRoots) {
        System.gc();
        if (extraRoots == null) {
            return GraphLayout.parseInstance(parent);
        }
        Object[] roots = new Object[extraRoots.length + 1];
        roots[0] = parent;
        System.arraycopy(extraRoots, 0, roots, 1, extraRoots.length);
        return GraphLayout.parseInstance(roots);
    }

    /** What the growth consists of: class, count and bytes per made child. */
    private static String composition(GraphLayout before, GraphLayout after, int per) {
        Map<String, long[]> growth = new TreeMap<>();
        for (Class<?> c : after.getClasses()) {
            long count = after.getClassCounts().count(c) - before.getClassCounts().count(c);
            long size = after.getClassSizes().count(c) - before.getClassSizes().count(c);
            if (count != 0 || size != 0) {
                growth.put(c.getName().replace("org.cancelkit.", "").replace("kotlinx.coroutines.", "")
                                .replace("java.lang.", ""),
                        new long[] {count, size});
            }
        }
        StringBuilder sb = new StringBuilder();
        growth.forEach((name, v) -> {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(name).append(' ');
            if (per == 1) {
                sb.append('×').append(v[0]).append(" = ").append(v[1]).append(" B");
            } else {
                sb.append(String.format("%.1f B", v[1] / (double) per));
            }
        });
        return sb.isEmpty() ? "nothing" : sb.toString();
    }

    /** The system timer's heap and inbox, by reflection (the bench runs on the class path). */
    private static Object @Nullable [] timerRoots() {
        try {
            Class<?> c = Class.forName("org.cancelkit.internal.SystemTimer");
            Object timer = c.getField("INSTANCE").get(null);
            Field heap = c.getDeclaredField("heap");
            heap.setAccessible(true);
            Field inbox = c.getDeclaredField("inbox");
            inbox.setAccessible(true);
            return new Object[] {heap.get(timer), inbox.get(timer)};
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
