package org.cancelkit.micrometer;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Checks and spells tag values: the names users give, and the outcome words. */
final class TagValues {
    private TagValues() {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-/]{1,64}");

    /** A user-chosen tag value: a fixed name, never a per-request value. */
    static String name(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a short fixed name (letters, digits, '_', '.', '-', '/', "
                    + "at most 64), got \"" + value + "\"; a tag value that changes per call (an id, a URL) makes one "
                    + "time series per value");
        }
        return value;
    }

    /** An enum constant as a tag value: lower case. */
    static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
