package org.cancelkit;

import java.util.concurrent.ThreadFactory;
import java.util.stream.Stream;

/**
 * The two kinds of thread every thread-related test runs on, like the JDK's {@code StructuredTaskScope}
 * tests that run once per thread factory. Use as
 * {@code @ParameterizedTest @MethodSource("org.cancelkit.ThreadKind#all")}.
 *
 * @param name shown in the test report
 * @param factory makes the threads
 */
record ThreadKind(String name, ThreadFactory factory) {
    static final ThreadKind VIRTUAL = new ThreadKind("virtual", Thread.ofVirtual().name("test-virtual-", 0).factory());
    static final ThreadKind PLATFORM =
            new ThreadKind("platform", Thread.ofPlatform().name("test-platform-", 0).daemon(true).factory());

    static Stream<ThreadKind> all() {
        return Stream.of(VIRTUAL, PLATFORM);
    }

    /** Starts {@code body} on a new thread of this kind; see {@link Forked}. */
    <T> Forked<T> fork(CheckedCallable<T, ?> body) {
        return Forked.start(factory, body);
    }

    /** Starts {@code body} on a new thread of this kind; see {@link Forked}. */
    Forked<Void> forkRun(CheckedRunnable<?> body) {
        return Forked.start(factory, () -> {
            body.run();
            return null;
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
