package org.cancelkit.testkit.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Captures the stack of the code under test at a cancellation point or a registration, without the
 * frames of the kit and of the core's hook, and renders stacks for reports.
 *
 * <p>Thread-safe (stateless).
 */
public final class Stacks {
    private static final StackWalker WALKER = StackWalker.getInstance();

    private Stacks() {}

    /**
     * Returns the caller's stack, innermost first: the leading frames of the hook and the kit are
     * dropped, and so is everything from the first frame of the kit's runners or of JUnit on (with the
     * binding and reflection machinery just above it).
     *
     * @return the stack of the code under test
     */
    public static List<StackTraceElement> capture() {
        List<StackTraceElement> frames = WALKER.walk(s -> s.map(StackWalker.StackFrame::toStackTraceElement).toList());
        int from = 0;
        while (from < frames.size() && isHook(frames.get(from).getClassName())) {
            from++;
        }
        int to = from;
        while (to < frames.size() && !isRunner(frames.get(to).getClassName())) {
            to++;
        }
        // Drop the core's binding frames just above the runner: token.run, ScopedValue, lambdas.
        while (to > from && isBindingMachinery(frames.get(to - 1).getClassName())) {
            to--;
        }
        return List.copyOf(new ArrayList<>(frames.subList(from, to)));
    }

    private static boolean isHook(String cls) {
        return cls.startsWith("org.cancelkit.testkit.internal.")
                || cls.equals("org.cancelkit.internal.Checkpoints")
                || cls.equals("org.cancelkit.CancellationPoints")
                || cls.equals("org.cancelkit.Callback")
                || isKitRunner(cls);
    }

    private static boolean isRunner(String cls) {
        return isKitRunner(cls) || cls.startsWith("org.cancelkit.testkit.internal.") || cls.startsWith("org.junit.");
    }

    /** The kit's classes that run code under test (exactly these, and their nested classes and lambdas). */
    private static boolean isKitRunner(String cls) {
        for (String runner : RUNNERS) {
            if (cls.equals(runner) || cls.startsWith(runner + "$")) {
                return true;
            }
        }
        return false;
    }

    private static final List<String> RUNNERS = List.of(
            "org.cancelkit.testkit.CancellationExplorer",
            "org.cancelkit.testkit.Exploration",
            "org.cancelkit.testkit.CancellationAssertions",
            "org.cancelkit.testkit.LeakWatch",
            "org.cancelkit.testkit.CancelkitExtension");

    private static boolean isBindingMachinery(String cls) {
        return cls.startsWith("java.lang.ScopedValue")
                || cls.startsWith("jdk.internal.reflect.")
                || cls.equals("java.lang.reflect.Method")
                || cls.startsWith("jdk.internal.vm.ScopedValueContainer")
                || cls.equals("org.cancelkit.Binding")
                || cls.equals("org.cancelkit.CancellationToken")
                || cls.equals("org.cancelkit.MonotonicClock")
                || cls.equals("org.cancelkit.testkit.VirtualClock")
                || cls.equals("org.cancelkit.testkit.internal.ManualTimer")
                || cls.startsWith("org.cancelkit.internal.");
    }

    /**
     * Renders a stack, one {@code at ...} line per frame.
     *
     * @param stack the frames, innermost first
     * @param indent what to put before each line
     * @param max how many frames at most; the rest is summarised
     * @return the text, each line ending in a newline
     */
    public static String render(List<StackTraceElement> stack, String indent, int max) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(max, stack.size());
        for (int i = 0; i < n; i++) {
            sb.append(indent).append("at ").append(stack.get(i)).append('\n');
        }
        if (stack.size() > n) {
            sb.append(indent).append("... ").append(stack.size() - n).append(" more\n");
        }
        return sb.toString();
    }

    /**
     * Renders frames in the thread dump's form, one {@code at ...} line each.
     *
     * @param frames the frames as the dump prints them
     * @param indent what to put before each line
     * @param max how many frames at most
     * @return the text
     */
    public static String renderDumped(List<String> frames, String indent, int max) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(max, frames.size());
        for (int i = 0; i < n; i++) {
            sb.append(indent).append("at ").append(frames.get(i)).append('\n');
        }
        if (frames.size() > n) {
            sb.append(indent).append("... ").append(frames.size() - n).append(" more\n");
        }
        return sb.toString();
    }
}
