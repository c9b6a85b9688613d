package org.cancelkit.archfixtures;

import java.util.List;
import java.util.Map;
import org.cancelkit.internal.Timer;
import org.cancelkit.internal.TimerEntry;

/**
 * Deliberately bad API, for the negative controls of {@code ArchitectureTest}: each nested type breaks
 * one rule the architecture checkers enforce (this package is not exported, so javac does not object).
 */
public final class BadApi {
    private BadApi() {}

    /** Public and neither final, sealed, an interface, an enum nor a record. */
    public static class NotFinal {
        /** A constructor. */
        public NotFinal() {}
    }

    /** Abstract but not sealed. */
    public abstract static class AbstractNotSealed {
        /** A constructor. */
        protected AbstractNotSealed() {}
    }

    /** Mentions internal types in a field, a return type, a type bound and a protected parameter. */
    public static final class LeaksInternal {
        /** A field. */
        public List<? extends TimerEntry> entries = List.of();

        /** A constructor. */
        public LeaksInternal() {}

        /**
         * A return type.
         *
         * @return nothing
         */
        public Timer timer() {
            throw new UnsupportedOperationException();
        }

        /**
         * A bound.
         *
         * @param entry ignored
         * @param <T> bounded by an internal type
         */
        public <T extends TimerEntry> void arm(T entry) {}

        /**
         * A protected parameter (of a final class: still checked).
         *
         * @param byName ignored
         */
        protected void take(Map<String, TimerEntry[]> byName) {}
    }

    /**
     * A record component.
     *
     * @param timer an internal type
     */
    public record LeaksThroughRecord(Timer timer) {}

    /** Nothing wrong. */
    public static final class Clean {
        /** A constructor. */
        public Clean() {}

        /**
         * A method.
         *
         * @return a name
         */
        public String name() {
            return "clean";
        }
    }
}
