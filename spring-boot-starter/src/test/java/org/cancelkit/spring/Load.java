package org.cancelkit.spring;

import java.lang.management.ManagementFactory;

/** The machine's load, printed next to a measured figure. */
final class Load {
    private Load() {}

    static String average() {
        return String.format("load average %.2f on %d cores", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }
}
