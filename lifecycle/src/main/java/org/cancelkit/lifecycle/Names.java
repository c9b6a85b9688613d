package org.cancelkit.lifecycle;

import java.util.Objects;

/** Checks of names and durations, with messages that say how to fix them. */
final class Names {
    private Names() {}

    static String requireName(String name, String what) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException("a " + what + " name must be non-blank and without '/' (it is a path "
                    + "segment in the report), got \"" + name + "\"; pick a short name such as \"http\"");
        }
        return name;
    }

    static java.time.Duration requireDuration(java.time.Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d
                    + "; use Duration.ZERO for none");
        }
        return d;
    }
}
