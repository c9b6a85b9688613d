package org.cancelkit.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code cancelkit.*} keys of {@code application.properties}. IDEs complete them from the
 * configuration metadata generated at build time.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("cancelkit")
public final class CancelkitProperties {
    private final Web web = new Web();
    private final Shutdown shutdown = new Shutdown();
    private final Client client = new Client();
    private final Async async = new Async();
    private final Context context = new Context();
    private final Endpoint endpoint = new Endpoint();

    /** The defaults, before Spring binds the configuration. */
    public CancelkitProperties() {}

    /**
     * Returns the request keys.
     *
     * @return {@code cancelkit.web.*}
     */
    public Web getWeb() {
        return web;
    }

    /**
     * Returns the shutdown keys.
     *
     * @return {@code cancelkit.shutdown.*}
     */
    public Shutdown getShutdown() {
        return shutdown;
    }

    /**
     * Returns the HTTP client keys.
     *
     * @return {@code cancelkit.client.*}
     */
    public Client getClient() {
        return client;
    }

    /**
     * Returns the task executor keys.
     *
     * @return {@code cancelkit.async.*}
     */
    public Async getAsync() {
        return async;
    }

    /**
     * Returns the context propagation keys.
     *
     * @return {@code cancelkit.context.*}
     */
    public Context getContext() {
        return context;
    }

    /**
     * Returns the Actuator endpoint keys.
     *
     * @return {@code cancelkit.endpoint.*}
     */
    public Endpoint getEndpoint() {
        return endpoint;
    }

    /** Spring MVC requests. */
    public static final class Web {
        /** Whether every servlet request runs bound to a cancellation token. */
        private boolean enabled = true;
        /**
         * The longest a request may run: a caller's deadline header is capped by it, and a request
         * without one gets it.
         */
        private Duration maxDeadline = Duration.ofSeconds(30);
        /** The request header carrying the caller's remaining deadline, in whole milliseconds. */
        private String header = "Cancelkit-Deadline-Ms";
        /**
         * How long one write of a response to the client may take. Writes run shielded from the
         * request's cancellation (an interrupt would close the connection mid-response) and are
         * stopped when this budget has passed.
         */
        private Duration writeBudget = Duration.ofSeconds(10);

        /** The defaults. */
        public Web() {}

        /**
         * Returns whether requests are bound.
         *
         * @return whether requests are bound
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether requests are bound.
         *
         * @param enabled whether requests are bound
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * Returns the server maximum.
         *
         * @return the server maximum
         */
        public Duration getMaxDeadline() {
            return maxDeadline;
        }

        /**
         * Sets the server maximum.
         *
         * @param maxDeadline positive
         */
        public void setMaxDeadline(Duration maxDeadline) {
            if (maxDeadline.isNegative() || maxDeadline.isZero()) {
                throw new IllegalArgumentException("cancelkit.web.max-deadline must be positive, got " + maxDeadline
                        + "; e.g. cancelkit.web.max-deadline=30s");
            }
            this.maxDeadline = maxDeadline;
        }

        /**
         * Returns the write budget.
         *
         * @return the write budget
         */
        public Duration getWriteBudget() {
            return writeBudget;
        }

        /**
         * Sets the write budget.
         *
         * @param writeBudget positive
         */
        public void setWriteBudget(Duration writeBudget) {
            if (writeBudget.isNegative() || writeBudget.isZero()) {
                throw new IllegalArgumentException("cancelkit.web.write-budget must be positive, got " + writeBudget);
            }
            this.writeBudget = writeBudget;
        }

        /**
         * Returns the deadline header's name.
         *
         * @return the deadline header's name
         */
        public String getHeader() {
            return header;
        }

        /**
         * Sets the deadline header's name.
         *
         * @param header the name
         */
        public void setHeader(String header) {
            this.header = header;
        }
    }

    /** How Spring's graceful shutdown drives the requests' cancellation. */
    public static final class Shutdown {
        /**
         * How long requests in flight may take to finish after the shutdown starts: they are
         * soft-cancelled at once (checks and callbacks see it) and cancelled hard (interrupted) when
         * it has passed. Keep it below spring.lifecycle.timeout-per-shutdown-phase.
         */
        private Duration grace = Duration.ofSeconds(10);
        /**
         * After the hard cancel, how long to wait for requests that are still running before they
         * are reported abandoned and the shutdown goes on.
         */
        private Duration hardWait = Duration.ofSeconds(5);

        /** The defaults. */
        public Shutdown() {}

        /**
         * Returns the grace.
         *
         * @return the grace
         */
        public Duration getGrace() {
            return grace;
        }

        /**
         * Sets the grace.
         *
         * @param grace not negative
         */
        public void setGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("cancelkit.shutdown.grace must not be negative, got " + grace);
            }
            this.grace = grace;
        }

        /**
         * Returns the wait after the hard cancel.
         *
         * @return the wait after the hard cancel
         */
        public Duration getHardWait() {
            return hardWait;
        }

        /**
         * Sets the wait after the hard cancel.
         *
         * @param hardWait not negative
         */
        public void setHardWait(Duration hardWait) {
            if (hardWait.isNegative()) {
                throw new IllegalArgumentException("cancelkit.shutdown.hard-wait must not be negative, got " + hardWait);
            }
            this.hardWait = hardWait;
        }
    }

    /** Outgoing HTTP calls through RestClient. */
    public static final class Client {
        /** Whether RestClient calls send the remaining deadline and are refused on a cancelled token. */
        private boolean propagateDeadline = true;

        /** The defaults. */
        public Client() {}

        /**
         * Returns whether the deadline is propagated.
         *
         * @return whether the deadline is propagated
         */
        public boolean isPropagateDeadline() {
            return propagateDeadline;
        }

        /**
         * Sets whether the deadline is propagated.
         *
         * @param propagateDeadline whether the deadline is propagated
         */
        public void setPropagateDeadline(boolean propagateDeadline) {
            this.propagateDeadline = propagateDeadline;
        }
    }

    /** Spring's task executors ({@code @Async}, Spring MVC's async requests). */
    public static final class Async {
        /**
         * Whether a task submitted to Spring's task executors runs bound to the submitter's token
         * (and so is cancelled with its request) and with its context (MDC, tracing).
         */
        private boolean bindToCaller = true;

        /** The defaults. */
        public Async() {}

        /**
         * Returns whether tasks are bound to the caller.
         *
         * @return whether tasks are bound to the caller
         */
        public boolean isBindToCaller() {
            return bindToCaller;
        }

        /**
         * Sets whether tasks are bound to the caller.
         *
         * @param bindToCaller whether tasks are bound to the caller
         */
        public void setBindToCaller(boolean bindToCaller) {
            this.bindToCaller = bindToCaller;
        }
    }

    /** Context that follows forks and async tasks. */
    public static final class Context {
        /** Whether SLF4J's MDC is carried into forks and async tasks (when SLF4J is present). */
        private boolean mdc = true;
        /** Whether OpenTelemetry's Context is carried into forks and async tasks (when it is present). */
        private boolean opentelemetry = true;

        /** The defaults. */
        public Context() {}

        /**
         * Returns whether the MDC is carried.
         *
         * @return whether the MDC is carried
         */
        public boolean isMdc() {
            return mdc;
        }

        /**
         * Sets whether the MDC is carried.
         *
         * @param mdc whether the MDC is carried
         */
        public void setMdc(boolean mdc) {
            this.mdc = mdc;
        }

        /**
         * Returns whether OpenTelemetry's context is carried.
         *
         * @return whether OpenTelemetry's context is carried
         */
        public boolean isOpentelemetry() {
            return opentelemetry;
        }

        /**
         * Sets whether OpenTelemetry's context is carried.
         *
         * @param opentelemetry whether OpenTelemetry's context is carried
         */
        public void setOpentelemetry(boolean opentelemetry) {
            this.opentelemetry = opentelemetry;
        }
    }

    /** The Actuator endpoint {@code cancelkit}. */
    public static final class Endpoint {
        /** How many live requests the endpoint lists at most. */
        private int sampleSize = 20;

        /** The defaults. */
        public Endpoint() {}

        /**
         * Returns the sample size.
         *
         * @return the sample size
         */
        public int getSampleSize() {
            return sampleSize;
        }

        /**
         * Sets the sample size.
         *
         * @param sampleSize from 0 to 1000
         */
        public void setSampleSize(int sampleSize) {
            if (sampleSize < 0 || sampleSize > 1000) {
                throw new IllegalArgumentException("cancelkit.endpoint.sample-size must be from 0 to 1000, got " + sampleSize);
            }
            this.sampleSize = sampleSize;
        }
    }
}
