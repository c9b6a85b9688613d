package org.cancelkit.spring;

import java.time.Duration;
import java.util.Map;
import org.cancelkit.CancellationToken;

/** What {@link RequestTokens} reports, for the meters: implemented where Micrometer is present. */
interface RequestListener {
    RequestListener NONE = new RequestListener() {
        @Override
        public Runnable started(CancellationToken request) {
            return () -> {};
        }

        @Override
        public void shutdown(Duration took, String outcome, Map<String, Long> stopped) {}
    };

    /**
     * A request started.
     *
     * @return what to run when it has ended, before its token is closed
     */
    Runnable started(CancellationToken request);

    /** The request drain of a shutdown ended. */
    void shutdown(Duration took, String outcome, Map<String, Long> stopped);
}
