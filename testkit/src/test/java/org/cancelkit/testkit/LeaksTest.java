package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.Registration;
import org.cancelkit.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each leak check sees its leak (C1 for threads), and a region that cleans up passes (the controls). */
class LeaksTest {
    @TempDir
    Path dir;

    @Test
    void c1LeakedVirtualAndPlatformThreadsAreSeenWithTheirStacks() throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource gate = clock.call(CancellationSource::create); // its waits count on this clock
        Thread[] started = new Thread[2];
        LeakReport report = Leaks.of(Leak.THREADS).run(() -> {
            started[0] = Thread.ofVirtual().name("leaky-virtual").start(() -> awaitQuietly(gate));
            started[1] = Thread.ofPlatform().name("leaky-platform").start(() -> awaitQuietly(gate));
            clock.awaitParked(2); // both are in their wait: the stacks below are certain
        });
        gate.cancel();
        for (Thread t : started) {
            t.join();
        }
        assertThat(report.findings()).extracting(LeakReport.Finding::check).containsOnly("threads");
        assertThat(report.findings()).extracting(LeakReport.Finding::description).anySatisfy(d -> assertThat(d)
                .contains("virtual thread \"leaky-virtual\"", "was started inside and is still alive:",
                        "org.cancelkit.CancellationToken.awaitCancellation"));
        assertThat(report.findings()).extracting(LeakReport.Finding::description).anySatisfy(d -> assertThat(d)
                .contains("platform thread \"leaky-platform\"", "org.cancelkit.CancellationToken.awaitCancellation"));
        assertThatThrownBy(report::assertNoLeaks).isInstanceOf(AssertionError.class).hasMessageContaining("2 leaks");
    }

    @Test
    void c1ThreadsOfAnExecutorThatWasNotClosedAreSeen() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService[] executor = new ExecutorService[1];
        LeakReport report = Leaks.of(Leak.THREADS).run(() -> {
            executor[0] = Executors.newVirtualThreadPerTaskExecutor();
            executor[0].submit(() -> awaitQuietly(release));
        });
        release.countDown();
        executor[0].close();
        assertThat(report.findings()).hasSize(1);
        assertThat(report.findings().getFirst().description()).contains("virtual thread \"<unnamed>\"", "ThreadPerTaskExecutor");
    }

    @Test
    void c1ThreadsThatWereJoinedAreNoLeak() throws Exception {
        Leaks.of(Leak.THREADS).assertNoLeaks(() -> {
            Thread t = Thread.ofVirtual().start(() -> {});
            t.join();
            try (ExecutorService e = Executors.newVirtualThreadPerTaskExecutor()) {
                e.submit(() -> "done");
            }
        });
    }

    @Test
    void c1CancelkitsOwnServiceThreadsAreNoLeak() throws Exception {
        // A hard cancel delivered to a bound thread starts the core's redelivery watcher (once per JVM,
        // so possibly before this test: the pattern checks below hold either way).
        Leaks.of(Leak.THREADS).assertNoLeaks(() -> {
            try (CancellationSource token = CancellationSource.create()) {
                token.run(() -> {
                    token.cancel("delivered to this very thread");
                });
            }
        });
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains("cancelkit-redelivery");
        assertThat(Leaks.SERVICE_THREADS.matcher("cancelkit-redelivery").matches()).isTrue();
        assertThat(Leaks.SERVICE_THREADS.matcher("cancelkit-timer").matches()).isTrue();
        assertThat(Leaks.SERVICE_THREADS.matcher("cancelkit-offload").matches()).isTrue();
        // Control: the named service threads only, not any thread whose name starts with "cancelkit-".
        assertThat(Leaks.SERVICE_THREADS.matcher("cancelkit-callbacks").matches()).isFalse();
        assertThat(Leaks.SERVICE_THREADS.matcher("cancelkit-timer-2").matches()).isFalse();
    }

    /**
     * The JDK's own: the first timed wait of a virtual thread starts its scheduler's delay thread, which
     * lives as long as the JVM. Whichever test waits first must not be blamed for it.
     */
    @Test
    void c1TheVirtualThreadSchedulersDelayThreadIsNoLeak() throws Exception {
        Leaks.of(Leak.THREADS).assertNoLeaks(() -> {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // kept: the thread ends right here
                }
            }).join();
        });
        java.util.List<String> delay = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.endsWith("-delayScheduler")).toList();
        assertThat(delay).as("the JDK's delay thread, by the name the JDK gives it").isNotEmpty()
                .allMatch(n -> Leaks.SERVICE_THREADS.matcher(n).matches());
        // Control: the pool's workers are not matched.
        assertThat(Leaks.SERVICE_THREADS.matcher("ForkJoinPool-1-worker-1").matches()).isFalse();
    }

    @Test
    void ignoredThreadsAreNotReported() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread[] t = new Thread[1];
        LeakReport report = Leaks.of(Leak.THREADS).ignoringThreads("housekeeper-\\d+")
                .run(() -> t[0] = Thread.ofVirtual().name("housekeeper-1").start(() -> awaitQuietly(release)));
        release.countDown();
        t[0].join();
        assertThat(report.isEmpty()).isTrue();
    }

    @Test
    void anOpenFileIsALeakedDescriptorAndAClosedOneIsNot() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        Path file = Files.writeString(dir.resolve("data.txt"), "x");
        InputStream[] in = new InputStream[1];
        LeakReport report = Leaks.of(Leak.FILE_DESCRIPTORS).run(() -> in[0] = new FileInputStream(file.toFile()));
        in[0].close();
        assertThat(report.findings()).hasSize(1);
        assertThat(report.findings().getFirst().description()).contains(file.toRealPath().toString(), "still open");

        Leaks.of(Leak.FILE_DESCRIPTORS).assertNoLeaks(() -> {
            try (InputStream s = new FileInputStream(file.toFile())) {
                assertThat(s.read()).isEqualTo('x');
            }
        });
    }

    @Test
    void aTempFileLeftBehindIsALeakAndOneThatWasThereBeforeIsNot() throws Exception {
        Files.writeString(dir.resolve("old.cancelkit.tmp"), "not ours");
        Leaks leaks = Leaks.none().withTempFiles(TempFiles.in(dir));
        LeakReport report = leaks.run(() -> {
            Files.createDirectories(dir.resolve("sub"));
            Files.writeString(dir.resolve("sub/report.pdf.cancelkit-42.tmp"), "partial");
            Files.writeString(dir.resolve("target.cancelkit.tmp"), "partial");
            Files.writeString(dir.resolve("report.pdf"), "whole"); // not a temp-file name
        });
        assertThat(report.findings()).extracting(LeakReport.Finding::description).containsExactly(
                dir.resolve("sub/report.pdf.cancelkit-42.tmp") + " was left behind",
                dir.resolve("target.cancelkit.tmp") + " was left behind");

        leaks.assertNoLeaks(() -> {
            Path tmp = Files.writeString(dir.resolve("x.cancelkit.tmp"), "partial");
            Files.move(tmp, dir.resolve("x"));
        });
    }

    @Test
    void theTempFileGlobAndDepthAreConfigurable() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        TempFiles parts = TempFiles.in(dir).withGlob("*.part").withDepth(2);
        LeakReport report = Leaks.none().withTempFiles(parts).run(() -> {
            Files.writeString(dir.resolve("a/x.part"), "");   // depth 2: seen
            Files.writeString(dir.resolve("a/b/y.part"), ""); // depth 3: not looked at
            Files.writeString(dir.resolve("z.cancelkit.tmp"), ""); // another glob
        });
        assertThat(report.findings()).extracting(LeakReport.Finding::description)
                .containsExactly(dir.resolve("a/x.part") + " was left behind");
        assertThatThrownBy(() -> TempFiles.in(dir).withGlob("{unclosed")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed glob");
        assertThatThrownBy(() -> TempFiles.in(dir).withDepth(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRegistrationLeftOnAnOutlivingTokenIsALeakWithTheStackThatMadeIt() throws Exception {
        try (CancellationSource server = CancellationSource.create()) { // lives longer than the region
            LeakReport report = Leaks.of(Leak.REGISTRATIONS).run(() -> server.onCancel(() -> {}));
            assertThat(report.findings()).hasSize(1);
            assertThat(report.findings().getFirst().description())
                    .contains("a token created before the region, was never closed; registered at:")
                    .contains("org.cancelkit.CancellationToken.onCancel")
                    .contains("aRegistrationLeftOnAnOutlivingTokenIsALeakWithTheStackThatMadeIt");

            Leaks.of(Leak.REGISTRATIONS).assertNoLeaks(() -> {
                Registration r = server.onCancel(() -> {});
                r.close();                                                  // closed: no leak
                CancellationSource mine = CancellationSource.create();
                mine.onCancel(() -> {});                                    // dies with the region: no leak
                server.child().onCancel(() -> {}).close();
            });
        }
    }

    @Test
    void aRegistrationOnAnUnclosedChildOfAnOutlivingTokenIsALeak() {
        try (CancellationSource server = CancellationSource.create()) {
            LeakReport report = Leaks.of(Leak.REGISTRATIONS).run(() -> server.child().onCancel(() -> {}));
            assertThat(report.findings()).hasSize(1);
        }
    }

    @Test
    void aCheckOfYourOwnIsTheExtensionPointForBulkheadPermits() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("db", 2);
        Bulkhead.Permit[] kept = new Bulkhead.Permit[1];
        LeakReport report = Leaks.none().withCheck(LeakCheck.permits(bulkhead)).run(() -> {
            kept[0] = bulkhead.acquire();          // never returned inside the region
            bulkhead.call(() -> "returned");        // returned
        });
        kept[0].close();
        assertThat(report.findings()).extracting(LeakReport.Finding::description)
                .containsExactly("bulkhead \"db\" permits in use: 0 before, 1 after (1 not returned)");

        Leaks.none().withCheck(LeakCheck.permits(bulkhead)).assertNoLeaks(() -> bulkhead.call(() -> "returned"));
    }

    @Test
    void aCheckThatFailsIsReportedNotLost() {
        AtomicLong reads = new AtomicLong();
        LeakReport report = Leaks.none().withCheck(LeakCheck.balance("flaky", () -> {
            if (reads.incrementAndGet() == 2) {
                throw new IllegalStateException("cannot read the pool");
            }
            return 0;
        })).run(() -> {});
        assertThat(report.findings()).extracting(LeakReport.Finding::description)
                .containsExactly("the check itself failed: java.lang.IllegalStateException: cannot read the pool");
    }

    @Test
    void theBodysFailureIsRethrownWithTheLeaksAttached() {
        assertThatThrownBy(() -> Leaks.none().withTempFiles(TempFiles.in(dir)).run(() -> {
            Files.writeString(dir.resolve("a.cancelkit.tmp"), "");
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom")
                .satisfies(e -> assertThat(e.getSuppressed()[0]).hasMessageContaining("a.cancelkit.tmp"));
    }

    @Test
    void aWatchEndsOnce() {
        LeakWatch watch = Leaks.none().begin();
        assertThat(watch.end().isEmpty()).isTrue();
        assertThatThrownBy(watch::end).isInstanceOf(IllegalStateException.class);
    }

    private static void awaitQuietly(CancellationToken gate) {
        try {
            gate.awaitCancellation();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the thread ends here: keep the flag for whoever looks
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the thread ends here: keep the flag for whoever looks
        }
    }
}
