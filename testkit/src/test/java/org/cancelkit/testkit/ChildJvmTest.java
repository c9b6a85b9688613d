package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child JVM of crash tests: lines in order, the end of the output told apart from a line, and the
 * lines printed before a SIGKILL still readable after it. The child is {@link Echo}, which waits on its
 * standard input, so every step is ordered by the test and none waits on the clock.
 */
class ChildJvmTest {

    /** Prints READY and one line to standard error, then echoes each input line; "exit N" ends with N;
     * "burst" prints three lines in one write. */
    public static final class Echo {
        public static void main(String[] args) throws IOException {
            System.err.println("echo child started with " + String.join(" ", args));
            System.out.println("READY " + args.length);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("exit ")) {
                    System.exit(Integer.parseInt(line.substring(5)));
                }
                if (line.equals("burst")) {
                    System.out.print("ECHO burst 1\nECHO burst 2\nECHO burst 3\n");
                    System.out.flush();
                    continue;
                }
                System.out.println("ECHO " + line);
                System.out.flush();
            }
        }
    }

    @Test
    void awaitSkipsToThePrefix_andTheEndIsNullForAwaitOrEnd_andAFailureForAwait(@TempDir Path dir) throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, Echo.class, "a", "b")) {
            assertThat(child.await("READY")).isEqualTo("READY 2");
            child.send("one");
            child.send("two");
            assertThat(child.await("ECHO t")).isEqualTo("ECHO two"); // "ECHO one" dropped on the way
            child.send("exit 3");
            assertThat(child.waitFor()).isEqualTo(3);
            assertThat(child.isAlive()).isFalse();
            assertThat(child.awaitOrEnd("ECHO")).isNull();
            assertThat(child.readLine()).as("the end stays the end").isNull();
            assertThatThrownBy(() -> child.await("ECHO")).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exit 3").hasMessageContaining("echo child started with a b");
        }
    }

    @Test
    void theLinesPrintedBeforeAKillStayReadable(@TempDir Path dir) throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, Echo.class)) {
            child.await("READY");
            long pid = child.pid();
            child.send("burst"); // the child prints three lines in one write: all are out once the first is
            assertThat(child.await("ECHO burst")).isEqualTo("ECHO burst 1");
            child.kill();
            assertThat(child.exitValue()).isEqualTo(137);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(child.drain()).containsExactly("ECHO burst 2", "ECHO burst 3");
        }
    }

    @Test
    void closeKillsAChildThatStillRuns(@TempDir Path dir) throws Exception {
        ChildJvm child = ChildJvm.start(dir, Echo.class);
        child.await("READY");
        assertThat(child.isAlive()).as("negative control: the child waits on its input").isTrue();
        assertThat(child.exitValue()).isEqualTo(-1);
        child.close();
        assertThat(child.isAlive()).isFalse();
    }
}
