package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Test;

/**
 * The smoke test of the tool on JDK 25: the model checker must find a lost update, and must pass the
 * same counter made atomic. Guards the workaround in {@link ModelCheck} (publishing the race through
 * a static field), without which Lincheck 3.7 finds nothing at all.
 */
class HarnessSelfTest {

    /** Two unsynchronised increments. */
    static final class LostUpdate extends Race {
        int value;

        @Override
        void actor1() {
            value++;
        }

        @Override
        void actor2() {
            value++;
        }

        @Override
        void arbiter() {
            forbidIf(value != 2, "lost update, value " + value);
        }
    }

    /** Two increments under a lock. */
    static final class Locked extends Race {
        int value;

        @Override
        synchronized void actor1() {
            value++;
        }

        @Override
        synchronized void actor2() {
            value++;
        }

        @Override
        synchronized void arbiter() {
            forbidIf(value != 2, "lost update, value " + value);
        }
    }

    @Test
    void modelCheckerFindsALostUpdate() {
        assertThatThrownBy(() -> ModelCheck.check(LostUpdate::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: lost update, value 1");
    }

    @Test
    void modelCheckerPassesTheLockedCounter() {
        assertThatCode(() -> ModelCheck.check(Locked::new, Budget.MODEL)).doesNotThrowAnyException();
    }
}
