package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The extension fails a test that leaks, with a readable report, and passes one that does not: each
 * fixture below is run by JUnit's own {@link EngineTestKit}, and its outcome checked here.
 */
class CancelkitExtensionTest {
    static final List<Thread> LEAKED = new CopyOnWriteArrayList<>();
    static final List<InputStream> OPENED = new CopyOnWriteArrayList<>();
    static volatile CountDownLatch release = new CountDownLatch(0);
    static volatile Path tmpFile = Path.of("unset");
    static volatile Path fdFile = Path.of("unset");
    static volatile CancellationSource server = CancellationSource.create();
    static final AtomicInteger WIDGETS = new AtomicInteger();
    static final List<CancellationSource> gates = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        release.countDown();
        gates.forEach(CancellationSource::cancel);
        gates.clear();
        for (Thread t : LEAKED) {
            t.join();
        }
        LEAKED.clear();
        for (InputStream in : OPENED) {
            in.close();
        }
        OPENED.clear();
        Files.deleteIfExists(tmpFile);
        server.close();
    }

    private static Throwable runFailing(Class<?> fixture) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Event failed = results.testEvents().failed().list().getFirst();
        return failed.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    private static void runPassing(Class<?> fixture) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
        results.testEvents().failed().list().forEach(e -> {
            throw new AssertionError("fixture failed", e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElse(null));
        });
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    }

    private static void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // ending anyway: keep the flag for whoever looks
        }
    }

    // ------------------------------------------------------------------ the fixtures

    static class Fixtures {
        @CancelkitTest
        static class LeaksAVirtualThread {
            @Test
            void leaks(VirtualClock clock) throws Exception {
                CancellationSource gate = CancellationSource.create();
                gates.add(gate);
                LEAKED.add(Thread.ofVirtual().name("leaky-worker").start(() -> {
                    try {
                        gate.awaitCancellation();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // ending anyway: keep the flag for whoever looks
                    }
                }));
                clock.awaitParked(1); // it is in its wait: the stack in the report is certain
            }
        }

        @CancelkitTest
        static class LeaksAPlatformThreadInItsSetUp {
            @org.junit.jupiter.api.BeforeEach
            void setUp() {
                LEAKED.add(Thread.ofPlatform().name("leaky-poller").daemon().start(CancelkitExtensionTest::awaitRelease));
            }

            @Test
            void test() {}
        }

        @CancelkitTest
        static class LeaksATempFileInItsTempDir {
            @TempDir
            Path dir;

            @Test
            void leaks() throws Exception {
                Files.writeString(dir.resolve("user_7.data.cancelkit-1.tmp"), "HEADER:");
            }
        }

        @CancelkitTest
        static class LeaksATempFileInTmpdir {
            @Test
            void leaks() throws Exception {
                Files.writeString(tmpFile, "partial");
            }
        }

        @CancelkitTest
        static class LeaksATempFileInATempDirParameter {
            @Test
            void leaks(@TempDir Path dir) throws Exception {
                Files.writeString(dir.resolve("a.cancelkit.tmp"), "partial");
            }
        }

        @CancelkitTest
        static class LeaksADescriptor {
            @Test
            void leaks() throws Exception {
                OPENED.add(new FileInputStream(fdFile.toFile()));
            }
        }

        @CancelkitTest
        static class LeaksARegistration {
            @Test
            void leaks() {
                server.onCancel(() -> {});
            }
        }

        @CancelkitTest
        static class LeaksNothing {
            @TempDir
            Path dir;

            @Test
            void cleanUpEverything(VirtualClock clock) throws Exception {
                Thread t = clock.fork("worker", () -> {});
                clock.join(t);
                Path tmp = Files.writeString(dir.resolve("x.cancelkit.tmp"), "new");
                Files.move(tmp, dir.resolve("x"));
                server.onCancel(() -> {}).close();
                try (InputStream in = new FileInputStream(dir.resolve("x").toFile())) {
                    assertThat(in.read()).isEqualTo('n');
                }
            }
        }

        @CancelkitTest(leakChecks = {Leak.TEMP_FILES})
        static class LeaksAThreadWithTheThreadCheckOff {
            @Test
            void leaks() {
                LEAKED.add(Thread.ofVirtual().name("tolerated").start(CancelkitExtensionTest::awaitRelease));
            }
        }

        @CancelkitTest(ignoredThreads = "tolerated-\\d+")
        static class LeaksAnIgnoredThread {
            @Test
            void leaks() {
                LEAKED.add(Thread.ofVirtual().name("tolerated-1").start(CancelkitExtensionTest::awaitRelease));
            }
        }

        @CancelkitTest
        static class FailsAndLeaks {
            @TempDir
            Path dir;

            @Test
            void fails() throws Exception {
                Files.writeString(dir.resolve("b.cancelkit.tmp"), "partial");
                throw new IllegalStateException("the test's own failure");
            }
        }

        @CancelkitTest
        static class TakesAStepOutOfOrderOnAnotherThread {
            @Test
            void steps(VirtualClock clock, Steps steps) throws Exception {
                steps.expect(1);
                Thread t = clock.fork("stepper", () -> {
                    try {
                        steps.expect(3);
                    } catch (AssertionError lostOnThisThread) {
                        // a forked thread's failure that nobody would see without the extension
                    }
                });
                clock.join(t);
                steps.finish(2);
            }
        }

        @CancelkitTest
        static class NeverFinishesItsSteps {
            @Test
            void steps(Steps steps) {
                steps.expect(1);
                steps.expect(2);
            }
        }

        static class RegisteredProgrammaticallyWithACheckOfItsOwn {
            @RegisterExtension
            static final CancelkitExtension KIT = CancelkitExtension.create()
                    .withLeaks(Leaks.of(Leak.THREADS).withCheck(LeakCheck.balance("widgets in use", WIDGETS::get)));

            @Test
            void leaksAWidget(VirtualClock clock) {
                assertThat(clock.nanoTime()).isZero();
                WIDGETS.incrementAndGet();
            }
        }

        @CancelkitTest
        static class RegisteredTwice {
            @RegisterExtension
            static final CancelkitExtension KIT = CancelkitExtension.create();

            @Test
            void test() {}
        }

        @CancelkitTest
        static class AsksForAClockInItsConstructor {
            AsksForAClockInItsConstructor(VirtualClock clock) {
                assertThat(clock).isNotNull();
            }

            @Test
            void test() {}
        }
    }

    // ------------------------------------------------------------------ the checks

    @Test
    void c1ALeakedVirtualThreadFailsTheTestWithItsNameAndStack() {
        release = new CountDownLatch(1);
        Throwable t = runFailing(Fixtures.LeaksAVirtualThread.class);
        assertThat(t).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("cancelkit: LeaksAVirtualThread > leaks(VirtualClock) left something behind.")
                .hasMessageContaining("1 leak found by cancelkit's leak checks:")
                .hasMessageContaining("[threads] virtual thread \"leaky-worker\"")
                .hasMessageContaining("was started inside and is still alive")
                .hasMessageContaining("org.cancelkit.CancellationToken.awaitCancellation");
    }

    @Test
    void c1APlatformThreadLeakedBySetUpFailsTheTest() {
        release = new CountDownLatch(1);
        assertThat(runFailing(Fixtures.LeaksAPlatformThreadInItsSetUp.class))
                .hasMessageContaining("[threads] platform thread \"leaky-poller\"");
    }

    @Test
    void f3ATempFileLeftInTheTestsTempDirFailsTheTest() {
        assertThat(runFailing(Fixtures.LeaksATempFileInItsTempDir.class))
                .hasMessageContaining("[temp files] ")
                .hasMessageContaining("user_7.data.cancelkit-1.tmp was left behind");
    }

    @Test
    void f3ATempFileLeftInTmpdirFailsTheTest() {
        tmpFile = Path.of(System.getProperty("java.io.tmpdir"), "fixture-" + UUID.randomUUID() + ".cancelkit.tmp");
        assertThat(runFailing(Fixtures.LeaksATempFileInTmpdir.class))
                .hasMessageContaining("[temp files] " + tmpFile + " was left behind");
    }

    @Test
    void f3ATempFileLeftInATempDirParameterFailsTheTest() {
        assertThat(runFailing(Fixtures.LeaksATempFileInATempDirParameter.class))
                .hasMessageContaining("a.cancelkit.tmp was left behind");
    }

    @Test
    void aLeakedDescriptorFailsTheTest(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        fdFile = Files.writeString(dir.resolve("held-open.txt"), "x");
        assertThat(runFailing(Fixtures.LeaksADescriptor.class))
                .hasMessageContaining("[file descriptors] descriptor ")
                .hasMessageContaining(fdFile.toRealPath() + " was opened inside and is still open");
    }

    @Test
    void aRegistrationLeftOnAnOutlivingTokenFailsTheTest() {
        server = CancellationSource.create();
        assertThat(runFailing(Fixtures.LeaksARegistration.class))
                .hasMessageContaining("[registrations] an onCancel callback registered on CancellationToken[active]")
                .hasMessageContaining("Fixtures$LeaksARegistration.leaks");
    }

    @Test
    void aTestThatCleansUpEverythingPasses() {
        server = CancellationSource.create();
        runPassing(Fixtures.LeaksNothing.class);
    }

    @Test
    void theAnnotationChoosesTheChecks() {
        release = new CountDownLatch(1);
        runPassing(Fixtures.LeaksAThreadWithTheThreadCheckOff.class);
        runPassing(Fixtures.LeaksAnIgnoredThread.class);
    }

    @Test
    void aTestThatFailsKeepsItsOwnFailureWithTheLeaksAttached() {
        Throwable t = runFailing(Fixtures.FailsAndLeaks.class);
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessage("the test's own failure");
        assertThat(t.getSuppressed()).singleElement().satisfies(s -> assertThat(s).hasMessageContaining("b.cancelkit.tmp"));
    }

    @Test
    void aStepOutOfOrderOnAForkedThreadFailsTheTest() {
        assertThat(runFailing(Fixtures.TakesAStepOutOfOrderOnAnotherThread.class))
                .hasMessageContaining("steps: expected step 2 next, but step 3 was reached on thread \"stepper\"");
    }

    @Test
    void stepsThatNeverFinishFailTheTest() {
        assertThat(runFailing(Fixtures.NeverFinishesItsSteps.class))
                .hasMessageContaining("steps: finish(3) was never reached: the last step taken was 2");
    }

    @Test
    void aProgrammaticRegistrationRunsItsOwnCheck() {
        WIDGETS.set(0);
        assertThat(runFailing(Fixtures.RegisteredProgrammaticallyWithACheckOfItsOwn.class))
                .hasMessageContaining("[widgets in use] widgets in use: 0 before, 1 after (1 not returned)");
    }

    @Test
    void registeringTheExtensionTwiceIsAClearError() {
        assertThat(runFailing(Fixtures.RegisteredTwice.class))
                .hasMessageContaining("registered twice")
                .hasMessageContaining("use either @CancelkitTest or @RegisterExtension");
    }

    @Test
    void aClockOutsideTestMethodsIsAClearError() {
        assertThat(runFailing(Fixtures.AsksForAClockInItsConstructor.class))
                .hasMessageContaining("to test methods and their @BeforeEach/@AfterEach methods only");
    }
}
