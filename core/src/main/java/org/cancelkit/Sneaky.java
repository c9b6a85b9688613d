package org.cancelkit;

/** Rethrows a body's own exception unchanged, checked or not. */
final class Sneaky {
    private Sneaky() {}

    /**
     * Throws {@code t} as it is. The declared return type lets callers write {@code throw rethrow(t)}.
     * Callers only pass what their body may throw: its declared checked type, or an unchecked one.
     */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
