package org.cancelkit.grpc;

import java.time.Duration;
import java.util.Objects;

/**
 * How a server adopts its callers' deadlines (G2): the longest a call may run whatever its caller
 * sent, and what is taken off a received deadline for the time it spent on the wire. Immutable; copy
 * with the {@code withX} methods.
 *
 * {@snippet :
 * GrpcServerOptions options = GrpcServerOptions.defaults()
 *         .withMaxDeadline(Duration.ofSeconds(5))          // no call runs longer, whatever it asks for
 *         .withTransitAllowance(Duration.ofMillis(5));    // a hop's deadline precedes its caller's
 * }
 *
 * <h2>Which deadline a call gets</h2>
 * The earliest of: the caller's {@code grpc-timeout}, Envoy's {@code x-envoy-expected-rq-timeout-ms}
 * when present, each less {@code transitAllowance}; and {@code maxDeadline} from the call's arrival.
 * A call that sends neither header gets {@code maxDeadline}. A received deadline can only shorten a
 * call, never lengthen it past the maximum: callers are not trusted with the server's time.
 *
 * <h2>The transit allowance</h2>
 * Deadlines travel as time left (the two machines' clocks need not agree, so there is no skew to
 * correct), counted by the receiver from the moment the call arrives. The time the request spent on
 * the wire is therefore not counted, and without an allowance a hop's deadline would fall that much
 * <em>after</em> its caller's. Taking {@code transitAllowance} off makes every hop's deadline precede
 * its caller's as long as one-way transit stays under it; the caller's answer then arrives before the
 * caller gives up. Choose it above your network's one-way latency (on loopback a millisecond is
 * plenty; across zones, a few).
 *
 * @param maxDeadline the longest any call may run, counted from its arrival; positive
 * @param transitAllowance taken off every received deadline; zero or positive, below {@code maxDeadline}
 */
public record GrpcServerOptions(Duration maxDeadline, Duration transitAllowance) {

    /** Validates the parts: what is wrong, and how to fix it. */
    public GrpcServerOptions {
        Objects.requireNonNull(maxDeadline, "maxDeadline");
        Objects.requireNonNull(transitAllowance, "transitAllowance");
        if (maxDeadline.isNegative() || maxDeadline.isZero()) {
            throw new IllegalArgumentException("maxDeadline must be positive, got " + maxDeadline
                    + "; it is the longest a call may run, e.g. Duration.ofSeconds(30)");
        }
        if (transitAllowance.isNegative()) {
            throw new IllegalArgumentException("transitAllowance must not be negative, got " + transitAllowance
                    + "; use Duration.ZERO to adopt received deadlines as they are");
        }
        if (transitAllowance.compareTo(maxDeadline) >= 0) {
            throw new IllegalArgumentException("transitAllowance (" + transitAllowance + ") must be below maxDeadline ("
                    + maxDeadline + "), or no call would have any time left");
        }
    }

    /**
     * Returns the defaults: calls run at most 30 seconds; a received deadline loses 1 ms for transit.
     *
     * @return the defaults
     */
    public static GrpcServerOptions defaults() {
        return new GrpcServerOptions(Duration.ofSeconds(30), Duration.ofMillis(1));
    }

    /**
     * Returns a copy with another maximum.
     *
     * @param maxDeadline positive, above the transit allowance
     * @return the copy
     */
    public GrpcServerOptions withMaxDeadline(Duration maxDeadline) {
        return new GrpcServerOptions(maxDeadline, transitAllowance);
    }

    /**
     * Returns a copy with another transit allowance.
     *
     * @param transitAllowance zero or positive, below the maximum
     * @return the copy
     */
    public GrpcServerOptions withTransitAllowance(Duration transitAllowance) {
        return new GrpcServerOptions(maxDeadline, transitAllowance);
    }
}
