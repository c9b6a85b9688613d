package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.io.AtomicFiles;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run of a job at a time, across processes (issue 13, item 4): a second run refused in this JVM
 * must not release the first run's lock. On POSIX, closing any descriptor of a file drops the
 * process's locks on it; the run lock used to open a second channel for the refused run and close it,
 * and a second process then ran the same job alongside the first.
 */
class JobLockTest {
    /** The jobs and io modules, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(Job.class, AtomicFiles.class);

    private static final int N = 60;

    @TempDir
    Path root;

    @Test
    @DisplayName("J1: after a second run is refused in this JVM, a run in another process is still refused")
    void aRefusedRunInThisJvm_keepsOtherProcessesOut() throws Exception {
        Path dir = Files.createDirectories(root.resolve("job"));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Job<Integer, Tally> job = Fixtures.job(dir, N, (index, item, tally, out) -> {
            if (index == 10) {
                inside.countDown();
                release.await();
            }
            out.print(Fixtures.line(index, item));
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                job.run();
            } catch (Throwable t) {
                first.set(t);
            }
        });
        inside.await();
        try {
            Job<Integer, Tally> second = Fixtures.job(dir, N, Fixtures.writeLine());
            assertThatThrownBy(second::run).isInstanceOf(IOException.class).hasMessageContaining("already running")
                    .hasMessageContaining("another thread of this process");
            assertThatThrownBy(second::reset).hasMessageContaining("already running");
            try (ChildJvm other = ChildJvm.start(root.resolve("logs"), SecondRunChild.class, CHILD_CLASSES,
                    dir.toString(), Integer.toString(N))) {
                String line = other.awaitOrEnd("");
                assertThat(line).as("the other process, after the refusals here; stderr: %s", other.stderr())
                        .startsWith("REFUSED").contains("already running")
                        .contains("pid " + ProcessHandle.current().pid());
                assertThat(other.waitFor()).isZero();
            }
        } finally {
            release.countDown();
            runner.join();
        }
        assertThat(first.get()).isNull();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "the first run, alone");
        // negative control: with the first run over, the other process runs (the job is complete: nothing to do)
        try (ChildJvm other = ChildJvm.start(root.resolve("logs"), SecondRunChild.class, CHILD_CLASSES, dir.toString(),
                Integer.toString(N))) {
            assertThat(other.awaitOrEnd("")).isEqualTo("RAN");
        }
    }
}
