package org.cancelkit;

import java.util.OptionalLong;

/** Package-private access for core's own tests: raw deadlines and the source behind a view. */
final class TestTokens {
    private TestTokens() {}

    /** The effective deadline as a raw reading of the token's clock. */
    static OptionalLong nanos(CancellationToken t) {
        long d = t.node().scope.deadline();
        return d == Scope.NONE ? OptionalLong.empty() : OptionalLong.of(d);
    }

    /** A child whose own deadline is a raw reading of the parent's clock. */
    static CancellationSource withDeadline(CancellationToken parent, long nanos) {
        return parent.child(new Deadline(parent.clock(), nanos));
    }

    /** The source behind a read-only view: what only cancelkit itself (and these tests) can reach. */
    static CancellationSource source(CancellationToken view) {
        return view.node();
    }
}
