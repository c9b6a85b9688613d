package org.cancelkit.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.testkit.internal.Sneaky;

/**
 * Which leak checks to run around a region of code, and the runner: take a census before, run the
 * region, take one after, report what the region left behind.
 *
 * {@snippet :
 * Leaks.all().assertNoLeaks(() -> {
 *     try (var group = TaskGroup.open()) { ... }       // every thread it started must have ended
 * });
 *
 * LeakReport report = Leaks.of(Leak.TEMP_FILES)
 *         .withTempFiles(TempFiles.in(dir))
 *         .run(() -> writer.replace(target, bytes));
 * }
 *
 * <p>For a region that is not one body (a test framework's before/after hooks), use {@link #begin()}
 * and {@link LeakWatch#end()}. The JUnit extension ({@link CancelkitTest}) does that for each test.
 *
 * <h2>What the checks cannot see</h2>
 * See each {@link Leak}: threads are seen through the JDK's thread dump, descriptors only on Linux,
 * temp files only in the watched directories and by name, registrations only on the region's threads
 * and the threads that inherit its scoped values. A leak that the region's own code cleans up later
 * (after the census) is reported: the census is strict, as the invariant is (C1: when the region
 * returns, its work has stopped).
 *
 * <p>Configuration is immutable: each {@code withX} returns a copy. Thread-safe. Two regions watched
 * at the same time in one JVM (parallel tests) can see each other's threads and descriptors: run
 * leak-checked tests one at a time (JUnit's default).
 */
public final class Leaks {
    /**
     * Names of the JDK's and the build tools' own threads, never leaks of the code under test.
     */
    static final Pattern SERVICE_THREADS = Pattern.compile(String.join("|",
            "Reference Handler", "Finalizer", "Signal Dispatcher", "Attach Listener", "Notification Thread",
            "Common-Cleaner", "process reaper", "VirtualThread-unblocker", "MasterPoller", "SubPoller-\\d+",
            "(Read|Write)-Poller(-\\d+)?", "cancelkit-timer", "cancelkit-offload", "cancelkit-redelivery", "junit-jupiter-timeout-watcher",
            "surefire-forkedjvm-.*", "last-ditch-daemon-shutdown-thread-.*", "JFR .*", "Keep-Alive-Timer",
            // Jetty 12 hands a failure callback to a thread of its own that ends by itself right after
            "jetty-immediate-executor",
            // JDK 25: the first timed wait of a virtual thread starts its scheduler's delay thread, which
            // lives as long as the JVM (the pool's workers are not matched: a pool of one's own is a leak)
            "ForkJoinPool-\\d+-delayScheduler"));
    /** Descriptors the JDK opens lazily and keeps: jars of class loading, the runtime image, random devices. */
    static final Pattern SERVICE_DESCRIPTORS = Pattern.compile(".*\\.(jar|jmod|zip)|.*/lib/modules|/dev/u?random");

    private final Set<Leak> enabled;
    private final TempFiles tempFiles;
    private final List<LeakCheck> checks;
    private final List<Pattern> ignoredThreads;
    private final List<Pattern> ignoredDescriptors;

    private Leaks(Set<Leak> enabled, TempFiles tempFiles, List<LeakCheck> checks, List<Pattern> ignoredThreads,
                  List<Pattern> ignoredDescriptors) {
        Set<Leak> copy = EnumSet.noneOf(Leak.class);
        copy.addAll(enabled);
        this.enabled = Collections.unmodifiableSet(copy);
        this.tempFiles = tempFiles;
        this.checks = List.copyOf(checks);
        this.ignoredThreads = List.copyOf(ignoredThreads);
        this.ignoredDescriptors = List.copyOf(ignoredDescriptors);
    }

    /**
     * Returns every check the kit ships, temp files in {@link TempFiles#defaults()}.
     *
     * @return every check the kit ships
     */
    public static Leaks all() {
        return of(Leak.values());
    }

    /**
     * Returns no check at all (add some with {@link #with(Leak)} or {@link #withCheck}).
     *
     * @return no check at all
     */
    public static Leaks none() {
        return of();
    }

    /**
     * Returns the given checks, temp files in {@link TempFiles#defaults()}.
     *
     * @param checks the checks to run
     * @return the given checks
     */
    public static Leaks of(Leak... checks) {
        Set<Leak> set = EnumSet.noneOf(Leak.class);
        for (Leak l : checks) {
            set.add(Objects.requireNonNull(l, "checks"));
        }
        return new Leaks(set, TempFiles.defaults(), List.of(), List.of(), List.of());
    }

    /**
     * Returns a copy that also runs {@code check}.
     *
     * @param check a check the kit ships
     * @return a copy that also runs {@code check}
     */
    public Leaks with(Leak check) {
        Objects.requireNonNull(check, "check");
        Set<Leak> set = EnumSet.of(check);
        set.addAll(enabled);
        return new Leaks(set, tempFiles, checks, ignoredThreads, ignoredDescriptors);
    }

    /**
     * Returns a copy that does not run {@code check}.
     *
     * @param check a check the kit ships
     * @return a copy that does not run {@code check}
     */
    public Leaks without(Leak check) {
        Objects.requireNonNull(check, "check");
        Set<Leak> set = EnumSet.noneOf(Leak.class);
        set.addAll(enabled);
        set.remove(check);
        return new Leaks(set, tempFiles, checks, ignoredThreads, ignoredDescriptors);
    }

    /**
     * Returns a copy that watches these temp files, and runs {@link Leak#TEMP_FILES}.
     *
     * @param tempFiles where to look and for which names
     * @return a copy that watches these temp files
     */
    public Leaks withTempFiles(TempFiles tempFiles) {
        Objects.requireNonNull(tempFiles, "tempFiles");
        return new Leaks(with(Leak.TEMP_FILES).enabled, tempFiles, checks, ignoredThreads, ignoredDescriptors);
    }

    /**
     * Returns a copy that also runs a check of your own: the extension point for resources the kit
     * cannot see (bulkhead permits, pooled connections; see {@link LeakCheck#balance}).
     *
     * @param check the check
     * @return a copy that also runs {@code check}
     */
    public Leaks withCheck(LeakCheck check) {
        Objects.requireNonNull(check, "check");
        List<LeakCheck> list = new ArrayList<>(checks);
        list.add(check);
        return new Leaks(enabled, tempFiles, list, ignoredThreads, ignoredDescriptors);
    }

    /**
     * Returns a copy that also ignores threads whose whole name matches {@code regex} (the JDK's own
     * service threads are always ignored).
     *
     * @param regex a {@link Pattern} for thread names
     * @return a copy that also ignores these threads
     */
    public Leaks ignoringThreads(String regex) {
        List<Pattern> list = new ArrayList<>(ignoredThreads);
        list.add(Pattern.compile(Objects.requireNonNull(regex, "regex")));
        return new Leaks(enabled, tempFiles, checks, list, ignoredDescriptors);
    }

    /**
     * Returns a copy that also ignores descriptors whose whole target ({@code /proc/self/fd} link
     * text, such as a path or {@code socket:[1234]}) matches {@code regex}.
     *
     * @param regex a {@link Pattern} for descriptor targets
     * @return a copy that also ignores these descriptors
     */
    public Leaks ignoringDescriptors(String regex) {
        List<Pattern> list = new ArrayList<>(ignoredDescriptors);
        list.add(Pattern.compile(Objects.requireNonNull(regex, "regex")));
        return new Leaks(enabled, tempFiles, checks, ignoredThreads, list);
    }

    /**
     * Returns the checks the kit ships that this configuration runs.
     *
     * @return the checks the kit ships that this configuration runs
     */
    public Set<Leak> enabled() {
        return enabled;
    }

    /**
     * Returns where the temp-file check looks.
     *
     * @return where the temp-file check looks
     */
    public TempFiles tempFiles() {
        return tempFiles;
    }

    /**
     * Returns the checks of your own.
     *
     * @return the checks of your own
     */
    public List<LeakCheck> checks() {
        return checks;
    }

    List<Pattern> ignoredThreads() {
        return ignoredThreads;
    }

    List<Pattern> ignoredDescriptors() {
        return ignoredDescriptors;
    }

    /**
     * Takes the "before" census: the start of a region that {@link LeakWatch#end()} closes.
     *
     * @return the watch over the region
     */
    public LeakWatch begin() {
        return new LeakWatch(this);
    }

    /**
     * Runs {@code body} and reports what it leaked. When the body throws, the leaks are still
     * checked; the body's exception is rethrown with a non-empty report attached as a suppressed
     * {@link AssertionError}.
     *
     * @param body the region
     * @param <X> what it may throw
     * @return what it leaked
     * @throws X what the body threw
     */
    public <X extends Exception> LeakReport run(CheckedRunnable<X> body) throws X {
        Objects.requireNonNull(body, "body");
        LeakWatch watch = begin();
        Throwable failure = null;
        try {
            watch.call(() -> {
                body.run();
                return null;
            });
        } catch (Throwable t) {
            failure = t;
        }
        LeakReport report = watch.end();
        if (failure != null) {
            if (!report.isEmpty()) {
                failure.addSuppressed(new AssertionError(report.toString()));
            }
            throw Sneaky.rethrow(failure);
        }
        return report;
    }

    /**
     * Runs {@code body} and fails when it leaked anything.
     *
     * @param body the region
     * @param <X> what it may throw
     * @throws AssertionError listing the leaks
     * @throws X what the body threw (leaks attached as suppressed)
     */
    public <X extends Exception> void assertNoLeaks(CheckedRunnable<X> body) throws X {
        run(body).assertNoLeaks();
    }

    @Override
    public String toString() {
        return "Leaks" + enabled + (enabled.contains(Leak.TEMP_FILES) ? " " + tempFiles : "")
                + (checks.isEmpty() ? "" : " + " + checks);
    }
}
