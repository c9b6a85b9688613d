package org.cancelkit.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Mounting for the tests that need a real small or foreign file system; null reasons mean success. */
final class Mounts {
    private Mounts() {}

    /** Runs a command; returns null when it succeeded, else why not. */
    static @Nullable String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                    + out;
        } catch (IOException e) {
            return String.join(" ", command) + " cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the status for the test runner
            return "interrupted";
        }
    }

    /** Mounts a tmpfs of {@code size} (as "1m") on {@code dir}; returns null on success, else why not. */
    static @Nullable String tmpfs(Path dir, String size) {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", dir.toString());
    }

    static @Nullable String bind(Path source, Path target) {
        return run("mount", "--bind", source.toString(), target.toString());
    }

    static void unmount(Path dir) {
        String why = run("umount", dir.toString());
        if (why != null) {
            System.out.println("[mounts] could not unmount " + dir + ": " + why);
        }
    }
}
