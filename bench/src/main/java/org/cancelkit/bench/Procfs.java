package org.cancelkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Per-thread facts from Linux's {@code /proc/self/task}: HotSpot gives each native thread its Java name. */
final class Procfs {
    private Procfs() {}

    /**
     * The {@code /proc/self/task/TID} directory of a thread, by (the first 15 characters of) its name;
     * empty when no task or more than one has that name.
     */
    static Optional<Path> task(String name) {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            List<Path> found = tasks.filter(p -> {
                try {
                    return Files.readString(p.resolve("comm")).strip().equals(comm);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
            return found.size() == 1 ? Optional.of(found.getFirst()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Voluntary plus involuntary context switches of a task so far (its wake-ups), or -1. */
    static long switches(Path task) {
        try {
            List<String> lines = Files.readAllLines(task.resolve("status"));
            long sum = 0;
            for (String line : lines) {
                if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                    sum += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
