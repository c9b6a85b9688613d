package org.cancelkit.testkit.internal;

/** Rethrows any throwable without declaring it: for rethrowing what a body threw, unchanged. */
public final class Sneaky {
    private Sneaky() {}

    /**
     * Throws {@code t} as it is.
     *
     * @param t what to throw
     * @return never returns; declared so callers can write {@code throw Sneaky.rethrow(t)}
     */
    public static RuntimeException rethrow(Throwable t) {
        throw Sneaky.<RuntimeException>as(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T as(Throwable t) throws T {
        throw (T) t;
    }
}
