package org.cancelkit.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test on a fresh {@link org.cancelkit.testkit.VirtualClock} and fails it when it leaks: the JUnit
 * Jupiter face of the kit ({@link CancelkitExtension}).
 *
 * {@snippet :
 * @CancelkitTest
 * class RetryTest {
 *     @Test
 *     void givesUpAfterTheDeadline(VirtualClock clock) {
 *         assertThatThrownBy(() -> Timeout.run(Duration.ofHours(1), () -> pollForever()))
 *                 .isInstanceOf(DeadlineExceededException.class);   // at once: auto-advance
 *         assertThat(clock.nanoTime()).isEqualTo(Duration.ofHours(1).toNanos());
 *     }
 * }
 * }
 *
 * <h2>What each test gets</h2>
 * <ul>
 *   <li>A fresh {@link org.cancelkit.testkit.VirtualClock}, bound for the test method and its
 *       {@code @BeforeEach}/{@code @AfterEach} methods: every token, timeout and
 *       {@code Cancellation.sleep} they create follows it. Declare a {@code VirtualClock} parameter
 *       to advance it by hand, fork participants ({@link org.cancelkit.testkit.VirtualClock#fork}) or read
 *       it.</li>
 *   <li>With {@link #autoAdvance()} (the default) the clock jumps to the next deadline whenever
 *       every participant (the test thread, threads from {@code clock.fork}) waits in a cancelkit
 *       wait: a 1-hour timeout fires at once. A test that computes, or blocks in anything else,
 *       holds time still.</li>
 *   <li>A {@link Steps} parameter, checked after the test: a step out of order on any thread, or a
 *       missing {@code finish}, fails it.</li>
 *   <li>The leak checks of {@link #leakChecks()} around the whole test, set-up and tear-down
 *       included; a leak fails the test with a report naming each thread (with its stack),
 *       descriptor, temp file and registration.</li>
 * </ul>
 *
 * <h2>What virtual time cannot see</h2>
 * Only cancelkit's waits follow the virtual clock. {@code Thread.sleep}, {@code Object.wait} with a
 * timeout, socket and HTTP timeouts, JDBC query timeouts and {@code System.nanoTime()} in your own
 * code stay on real time: a test that needs them to pass time waits for real, and a thread blocked
 * in one counts as busy, so auto-advance holds time still while it blocks. Threads you start with
 * {@code Thread.start} or an executor are not participants and do not see the clock unless their
 * tokens came from it (a token keeps the clock of its tree): use {@code clock.fork}, or a task group
 * of the core, whose tasks inherit the test's tree. JUnit's {@code @Timeout} in
 * {@code SEPARATE_THREAD} mode runs the test on a thread that has no clock bound.
 *
 * <p>For configuration that an annotation cannot carry (a {@link LeakCheck} of your own), register
 * {@link CancelkitExtension#create()} with {@code @RegisterExtension} instead; do not use both on one
 * class.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CancelkitExtension.class)
public @interface CancelkitTest {

    /**
     * Whether the virtual clock jumps to the next deadline when every participant waits in a
     * cancelkit wait.
     *
     * @return whether to auto-advance; true by default
     */
    boolean autoAdvance() default true;

    /**
     * The leak checks to run around each test.
     *
     * @return the checks; all of them by default
     */
    Leak[] leakChecks() default {Leak.THREADS, Leak.FILE_DESCRIPTORS, Leak.TEMP_FILES, Leak.REGISTRATIONS};

    /**
     * The glob for the names of temp files ({@link TempFiles#glob()}).
     *
     * @return the glob; cancelkit's temp-file names by default
     */
    String tempFileGlob() default TempFiles.DEFAULT_GLOB;

    /**
     * The directories to watch for temp files, to any depth. Empty (the default) watches
     * {@code java.io.tmpdir}, its own entries only. Either way each {@code @TempDir} of the test is
     * watched, to any depth.
     *
     * @return the directories
     */
    String[] tempFileDirectories() default {};

    /**
     * More thread names to ignore (each a whole-name regular expression), besides the JDK's own.
     *
     * @return the patterns
     */
    String[] ignoredThreads() default {};
}
