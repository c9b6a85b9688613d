package org.cancelkit.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.cancelkit.CheckedCallable;
import org.cancelkit.testkit.internal.DescriptorCensus;
import org.cancelkit.testkit.internal.Recorder;
import org.cancelkit.testkit.internal.Sneaky;
import org.cancelkit.testkit.internal.Stacks;
import org.cancelkit.testkit.internal.TempFileScan;
import org.cancelkit.testkit.internal.ThreadCensus;
import org.cancelkit.testkit.internal.ThreadCensus.LiveThread;
import org.cancelkit.testkit.internal.Warmup;

/**
 * A region under watch, from {@link Leaks#begin()} to {@link #end()}: for test frameworks whose
 * region is not one body (set-up, test, tear-down).
 *
 * {@snippet :
 * LeakWatch watch = Leaks.all().begin();         // before: census of threads, descriptors, files
 * watch.call(() -> setUp());                     // registrations are seen only inside call(...)
 * watch.call(() -> theTest());
 * watch.call(() -> tearDown());
 * watch.end().assertNoLeaks();                   // after: what the region left behind
 * }
 *
 * <p>Threads, descriptors and temp files are compared between {@link Leaks#begin()} and
 * {@link #end()}, whatever ran in between; {@code onCancel} registrations are seen only while code
 * runs inside {@link #call}.
 *
 * <p>Thread-safe; {@link #end()} may be called once.
 */
public final class LeakWatch {
    private static final int STACK_FRAMES = 12;

    private final Leaks leaks;
    private final Recorder recorder = new Recorder();
    private final Set<Long> threadsBefore;
    private final Map<Integer, String> descriptorsBefore;
    private final Map<Path, Integer> tempRoots = new LinkedHashMap<>();
    private final Set<Path> tempBefore = new HashSet<>();
    private final List<Object> customWatches = new ArrayList<>(); // LeakCheck.Watch, or the Exception it failed with
    private boolean ended;

    LeakWatch(Leaks leaks) {
        this.leaks = leaks;
        Warmup.ensure();
        Set<Leak> on = leaks.enabled();
        for (LeakCheck c : leaks.checks()) {
            try {
                customWatches.add(c.watch());
            } catch (Exception e) {
                customWatches.add(e);
            }
        }
        if (on.contains(Leak.TEMP_FILES)) {
            for (Path d : leaks.tempFiles().directories()) {
                watchTempDirectory(d, leaks.tempFiles().depth());
            }
        }
        this.threadsBefore = new HashSet<>();
        if (on.contains(Leak.THREADS)) {
            for (LiveThread t : ThreadCensus.take()) {
                threadsBefore.add(t.tid());
            }
        }
        this.descriptorsBefore = on.contains(Leak.FILE_DESCRIPTORS)
                ? DescriptorCensus.take().orElse(Map.of()) : Map.of();
        recorder.recording(on.contains(Leak.REGISTRATIONS));
    }

    /**
     * Also watches {@code directory} for temp files from now on (the JUnit extension adds each
     * {@code @TempDir} of a test this way). What it holds now is not a leak.
     *
     * @param directory the directory
     * @param depth how deep to look
     */
    synchronized void watchTempDirectory(Path directory, int depth) {
        Path d = directory.toAbsolutePath().normalize();
        if (!leaks.enabled().contains(Leak.TEMP_FILES) || tempRoots.getOrDefault(d, 0) >= depth) {
            return;
        }
        tempRoots.put(d, depth);
        tempBefore.addAll(TempFileScan.scan(d, leaks.tempFiles().glob(), depth));
    }

    Recorder recorder() {
        return recorder;
    }

    /**
     * Runs part of the region, with the registrations it makes recorded.
     *
     * @param body the code under watch
     * @param <T> its value
     * @param <X> what it may throw
     * @return what it returned
     * @throws X what it threw
     */
    public <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        try {
            return recorder.bind(body::call);
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
    }

    /**
     * Ends the region: takes the "after" census and reports the difference.
     *
     * @return what the region leaked
     * @throws IllegalStateException when already ended
     */
    public synchronized LeakReport end() {
        if (ended) {
            throw new IllegalStateException("this LeakWatch has ended already; begin a new one with Leaks.begin()");
        }
        ended = true;
        Set<Leak> on = leaks.enabled();
        Map<Integer, String> descriptorsAfter = on.contains(Leak.FILE_DESCRIPTORS)
                ? DescriptorCensus.take().orElse(Map.of()) : Map.of(); // first: the other censuses open files
        List<LeakReport.Finding> findings = new ArrayList<>();
        if (on.contains(Leak.THREADS)) {
            for (LiveThread t : ThreadCensus.take()) {
                if (!threadsBefore.contains(t.tid()) && !ignored(t)) {
                    findings.add(new LeakReport.Finding("threads", describe(t)));
                }
            }
        }
        descriptorsAfter.forEach((fd, target) -> {
            if (!target.equals(descriptorsBefore.get(fd)) && !matchesAny(target, Leaks.SERVICE_DESCRIPTORS,
                    leaks.ignoredDescriptors())) {
                findings.add(new LeakReport.Finding("file descriptors",
                        "descriptor " + fd + " -> " + target + " was opened inside and is still open"));
            }
        });
        if (on.contains(Leak.TEMP_FILES)) {
            Set<Path> after = new TreeSet<>();
            tempRoots.forEach((d, depth) -> after.addAll(TempFileScan.scan(d, leaks.tempFiles().glob(), depth)));
            after.removeAll(tempBefore);
            for (Path p : after) {
                findings.add(new LeakReport.Finding("temp files", p + " was left behind"));
            }
        }
        if (on.contains(Leak.REGISTRATIONS)) {
            for (Recorder.Registered r : recorder.pendingOnOutlivingTokens()) {
                findings.add(new LeakReport.Finding("registrations", "an onCancel callback registered on "
                        + r.token() + ", a token created before the region, was never closed; registered at:\n"
                        + Stacks.render(r.stack(), "    ", STACK_FRAMES)));
            }
        }
        for (int i = 0; i < customWatches.size(); i++) {
            String name = leaks.checks().get(i).name();
            Object w = customWatches.get(i);
            try {
                if (w instanceof Exception e) {
                    throw e;
                }
                for (String leak : ((LeakCheck.Watch) w).leaks()) {
                    findings.add(new LeakReport.Finding(name, leak));
                }
            } catch (Exception e) {
                findings.add(new LeakReport.Finding(name, "the check itself failed: " + e));
            }
        }
        return new LeakReport(findings);
    }

    private boolean ignored(LiveThread t) {
        if (matchesAny(t.name(), Leaks.SERVICE_THREADS, leaks.ignoredThreads())) {
            return true;
        }
        // Pool workers of the JDK: idle ones, and the carriers of virtual threads.
        return t.container().startsWith("ForkJoinPool") && t.stack().stream().anyMatch(f ->
                f.contains("java.util.concurrent.ForkJoinPool.awaitWork")
                        || f.contains("java.lang.VirtualThread.run")
                        || f.contains("jdk.internal.vm.Continuation.run"));
    }

    private static boolean matchesAny(String s, Pattern builtIn, List<Pattern> extra) {
        if (builtIn.matcher(s).matches()) {
            return true;
        }
        for (Pattern p : extra) {
            if (p.matcher(s).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String describe(LiveThread t) {
        String name = t.name().isEmpty() ? "<unnamed>" : t.name();
        return (t.virtual() ? "virtual" : "platform") + " thread \"" + name + "\" (#" + t.tid() + ", " + t.state()
                + (t.container().equals("<root>") ? "" : ", in " + t.container())
                + ") was started inside and is still alive"
                + (t.stack().isEmpty() ? " (no Java frames: starting, or in native code)"
                        : ":\n" + Stacks.renderDumped(t.stack(), "    ", STACK_FRAMES));
    }

    @Override
    public synchronized String toString() {
        return "LeakWatch[" + leaks + (ended ? ", ended" : "") + "]";
    }
}
