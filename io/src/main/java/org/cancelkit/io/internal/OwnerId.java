package org.cancelkit.io.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A process, as a lock or a temporary file's name records it: pid, boot id
 * ({@code /proc/sys/kernel/random/boot_id}) and start time. Together they tell a dead owner from a
 * live one, across reboots and pid reuse.
 *
 * @param pid the process id
 * @param bootId the boot id, or {@code "unknown"} where the system has none
 * @param startMillis when the process started (epoch milliseconds), or -1 when unknown
 */
public record OwnerId(long pid, String bootId, long startMillis) {
    private static final String UNKNOWN = "unknown";
    private static final OwnerId CURRENT = detect();

    /** What is known about an owner's process. */
    public enum Liveness {
        /** It is running: the same process that recorded itself. */
        ALIVE,
        /** It is gone: no such pid, a zombie, another process under a reused pid, or a previous boot. */
        DEAD
    }

    /**
     * Returns this process.
     *
     * @return this process
     */
    public static OwnerId current() {
        return CURRENT;
    }

    /**
     * Returns the first 8 characters of the boot id, for temporary file names.
     *
     * @return the first 8 characters of the boot id
     */
    public String bootPrefix() {
        String hex = bootId.replace("-", "");
        return hex.length() >= 8 && hex.substring(0, 8).matches("[0-9a-f]{8}") ? hex.substring(0, 8) : "00000000";
    }

    /**
     * Returns the record written into a lock file.
     *
     * @return the record written into a lock file
     */
    public byte[] encode() {
        return ("pid=" + pid + "\nboot=" + bootId + "\nstart=" + startMillis + "\nsince=" + Instant.now() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a lock file's record.
     *
     * @param record its bytes
     * @return the owner, or null when the record is empty or unreadable
     */
    public static @Nullable OwnerId decode(byte[] record) {
        long pid = -1;
        long start = -1;
        String boot = null;
        for (String line : new String(record, StandardCharsets.UTF_8).split("\n")) {
            try {
                if (line.startsWith("pid=")) {
                    pid = Long.parseLong(line.substring(4).trim());
                } else if (line.startsWith("start=")) {
                    start = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("boot=")) {
                    boot = line.substring(5).trim();
                }
            } catch (NumberFormatException e) {
                return null; // torn or foreign: treated as no record
            }
        }
        return pid <= 0 || boot == null ? null : new OwnerId(pid, boot, start);
    }

    /**
     * Returns whether this owner's process is still running.
     *
     * @return whether this owner's process is still running
     */
    public Liveness liveness() {
        OwnerId me = CURRENT;
        if (!bootId.equals(me.bootId) && !bootId.equals(UNKNOWN) && !me.bootId.equals(UNKNOWN)) {
            return Liveness.DEAD;
        }
        if (pid == me.pid) {
            return startMillis == me.startMillis || startMillis < 0 ? Liveness.ALIVE : Liveness.DEAD;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive() || isZombie(pid)) {
            return Liveness.DEAD;
        }
        long start = handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        if (startMillis >= 0 && start >= 0 && Math.abs(start - startMillis) > 1_000) {
            return Liveness.DEAD; // the pid was reused by a later process
        }
        return Liveness.ALIVE;
    }

    /**
     * Returns whether a writer temp's recorded owner is still running.
     *
     * @param pid the pid in its name
     * @param bootPrefix the boot prefix in its name
     * @return whether it is still running
     */
    public static Liveness liveness(long pid, String bootPrefix) {
        if (!bootPrefix.equals(CURRENT.bootPrefix())) {
            return Liveness.DEAD;
        }
        return new OwnerId(pid, CURRENT.bootId, -1).liveness();
    }

    /**
     * Returns a description for messages: "pid 123 (started 2025-…, boot 85a88cb4…)".
     *
     * @return a description for messages
     */
    public String describe() {
        String started = startMillis < 0 ? "start unknown" : "started " + Instant.ofEpochMilli(startMillis);
        return "pid " + pid + " (" + started + ", boot " + bootId + ")";
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc: trust ProcessHandle
        }
    }

    private static OwnerId detect() {
        ProcessHandle me = ProcessHandle.current();
        long start = me.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        String boot;
        try {
            boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException | RuntimeException e) {
            boot = UNKNOWN;
        }
        return new OwnerId(me.pid(), boot.isEmpty() ? UNKNOWN : boot, start);
    }
}
