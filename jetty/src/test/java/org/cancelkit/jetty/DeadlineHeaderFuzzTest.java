package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.testkit.CancelkitExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * H4 fuzzing: the {@value DeadlineHeader#NAME} decoder and the admission decision, on random and
 * mutated header lines ({@link HeaderInputs}), judged against an independent reference decoder.
 * Asserted for every input: a clear refusal (400 with a bounded message naming the header) or the
 * correct decode; the effective deadline never later than the server's maximum; no exception other than
 * the refusal; allocation that does not grow with the input (at most {@value #MAX_ALLOCATION} bytes for
 * inputs of up to 200,000 characters). The end-to-end part sends such headers to a real Jetty and
 * checks that none is answered 500.
 *
 * <p>Seeded and reproducible: each run prints its seed; replay one with
 * {@code -Dcancelkit.fuzz.start=N}. The default suite fuzzes for a few seconds, {@code -Pstress} for
 * minutes; as in the io and jobs fuzz suites, {@code -Dcancelkit.fuzz.seconds=N} sets the short run's
 * length and {@code -Dcancelkit.fuzz.stress.seconds=N} the long one's.
 */
class DeadlineHeaderFuzzTest {
    /** The most a decode may allocate, whatever the input: a refusal's message and its exception. */
    static final long MAX_ALLOCATION = 32 * 1024;

    private static final Duration[] MAXIMA = {
        Duration.ofMillis(1), Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofDays(365_000), Duration.ofSeconds(Long.MAX_VALUE)};

    @RegisterExtension
    final CancelkitExtension kit = Fixtures.extension();

    @Test
    @DisplayName("H4 fuzz: the decoder and the admission on random and mutated headers, for 3 s")
    void decoder() throws Exception {
        fuzzDecoder(seed("decoder"), Duration.ofSeconds(Long.getLong("cancelkit.fuzz.seconds", 3)));
    }

    @Test
    @Tag("stress")
    @DisplayName("H4 fuzz (stress): the decoder and the admission on random and mutated headers, for 2 minutes")
    void decoderLong() throws Exception {
        fuzzDecoder(seed("decoderLong"), Duration.ofSeconds(Long.getLong("cancelkit.fuzz.stress.seconds", 120)));
    }

    /**
     * Negative control: the checks find the faults of a decoder that reads only the first line with
     * {@link Long#parseLong} and applies no maximum (how the header used to be read).
     */
    @Test
    @DisplayName("H4 fuzz, negative control: a decoder that reads the first line with Long.parseLong and no maximum is caught")
    void catchesANaiveDecoder() {
        BiFunction<List<String>, Duration, Admission> naive = (lines, maximum) -> {
            if (lines.isEmpty()) {
                return new Admission.Run(Duration.ofSeconds(Long.MAX_VALUE), false);
            }
            try {
                long ms = Long.parseLong(lines.get(0).strip());
                return ms < 0 ? new Admission.Refuse(400, DeadlineHeader.NAME + " negative")
                        : ms == 0 ? new Admission.Refuse(504, "passed") : new Admission.Run(Duration.ofMillis(ms), false);
            } catch (NumberFormatException e) {
                return new Admission.Refuse(400, DeadlineHeader.NAME + " malformed");
            }
        };
        SplittableRandom random = new SplittableRandom(42);
        int caught = 0;
        for (int i = 0; i < 2_000; i++) {
            List<String> lines = HeaderInputs.next(random);
            Duration maximum = MAXIMA[random.nextInt(MAXIMA.length)];
            try {
                check(HeaderInputs.reference(lines), naive.apply(lines, maximum), maximum, "case " + i);
            } catch (AssertionError expected) {
                caught++;
            }
        }
        System.out.printf("DeadlineHeaderFuzzTest: the naive decoder was caught on %d of 2000 inputs%n", caught);
        assertThat(caught).isGreaterThan(100);
    }

    @Test
    @DisplayName("H4 fuzz: 150 random and mutated headers sent to a real Jetty: answered 200, 400 or 504 as the reference says, never 500")
    void endToEnd() throws Exception {
        fuzzServer(seed("endToEnd"), 150);
    }

    @Test
    @Tag("stress")
    @DisplayName("H4 fuzz (stress): 5,000 random and mutated headers sent to a real Jetty, never answered 500")
    void endToEndLong() throws Exception {
        fuzzServer(seed("endToEndLong"), 5_000);
    }

    private static long seed(String test) {
        long seed = Long.getLong("cancelkit.fuzz.start", System.nanoTime());
        System.out.printf("DeadlineHeaderFuzzTest.%s: seed %d (replay with -Dcancelkit.fuzz.start=%d)%n", test, seed, seed);
        return seed;
    }

    private static void fuzzDecoder(long seed, Duration budget) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        long end = System.nanoTime() + budget.toNanos();
        long cases = 0;
        long refused = 0;
        long maxAllocated = 0;
        while (System.nanoTime() < end) {
            List<String> lines = HeaderInputs.next(random);
            Duration maximum = MAXIMA[random.nextInt(MAXIMA.length)];
            String where = "seed " + seed + ", case " + cases + ", maximum " + maximum + ", input " + HeaderInputs.show(lines);
            long before = Allocations.current();
            Admission admission = admit(lines, maximum, where);
            long allocated = Allocations.current() - before;
            if (allocated > MAX_ALLOCATION) {
                // The first pass through a code path links its string concatenations and loads classes
                // (one-time costs of the JVM): measure the same input again, which costs what any input does.
                before = Allocations.current();
                admit(lines, maximum, where);
                allocated = Allocations.current() - before;
            }
            maxAllocated = Math.max(maxAllocated, allocated);
            assertThat(allocated).as("bytes allocated, " + where).isLessThanOrEqualTo(MAX_ALLOCATION);
            check(HeaderInputs.reference(lines), admission, maximum, where);
            refused += admission instanceof Admission.Refuse r && r.status() == 400 ? 1 : 0;
            cases++;
        }
        System.out.printf("DeadlineHeaderFuzzTest: seed %d, %d inputs in %s, %d refused (400), at most %d bytes allocated by one decode%n",
                seed, cases, budget, refused, maxAllocated);
        assertThat(cases).as("inputs tried (a check that the loop ran, not a speed)").isGreaterThan(300);
        assertThat(refused).as("both outcomes were exercised").isPositive().isLessThan(cases);
    }

    private static Admission admit(List<String> lines, Duration maximum, String where) {
        try {
            return Admission.of(lines, maximum);
        } catch (Throwable e) {
            throw new AssertionError("an exception escaped the admission (a 500 from the server): " + where, e);
        }
    }

    /** Judges one decision against the reference decoder. */
    private static void check(HeaderInputs.Expected expected, Admission admission, Duration maximum, String where) {
        if (expected.refused()) {
            if (!(admission instanceof Admission.Refuse(int status, String message))) {
                throw new AssertionError("accepted what the reference refuses: " + admission + ", " + where);
            }
            assertThat(status).as(where).isEqualTo(400);
            assertThat(message).as(where).contains(DeadlineHeader.NAME).hasSizeLessThan(1_000);
            return;
        }
        if (expected.earliest().isPresent() && expected.earliest().getAsLong() == 0) {
            assertThat(admission).as(where).isInstanceOf(Admission.Refuse.class)
                    .extracting(a -> ((Admission.Refuse) a).status()).isEqualTo(504);
            return;
        }
        if (!(admission instanceof Admission.Run(Duration budget, boolean byMaximum))) {
            throw new AssertionError("refused what the reference accepts (" + expected + "): " + admission + ", " + where);
        }
        Duration caller = expected.earliest().isPresent() ? Duration.ofMillis(expected.earliest().getAsLong()) : null;
        Duration effective = caller == null || caller.compareTo(maximum) > 0 ? maximum : caller;
        assertThat(budget).as(where).isEqualTo(effective).isPositive().isLessThanOrEqualTo(maximum);
        assertThat(byMaximum).as(where).isEqualTo(caller == null || caller.compareTo(maximum) > 0);
    }

    private static void fuzzServer(long seed, int cases) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Duration maximum = Duration.ofSeconds(2);
        CancellationSource serverToken = CancellationSource.create();   // the test's virtual clock: remaining times are exact
        int[] statuses = new int[600];
        try (LocalServer server = LocalServer.start(serverToken, HandlerOptions.defaults().withMaximum(maximum))) {
            for (int i = 0; i < cases; i++) {
                List<String> lines = sendable(HeaderInputs.next(random));
                String id = "fuzz-" + i;
                List<String> fields = new ArrayList<>();
                for (String line : lines) {
                    fields.add(DeadlineHeader.NAME + ": " + line);
                }
                String where = "seed " + seed + ", case " + i + ", input " + HeaderInputs.show(lines);
                RawClient.Answer answer = RawClient.get(server.uri("/"), "/fast?id=" + id, fields);
                statuses[answer.status()]++;
                HeaderInputs.Expected expected = HeaderInputs.reference(lines);
                LocalServer.Seen seen = server.seen(id);
                if (expected.refused()) {
                    assertThat(answer.status()).as(where + ": " + answer.text()).isEqualTo(400);
                } else if (expected.earliest().isPresent() && expected.earliest().getAsLong() == 0) {
                    assertThat(answer.status()).as(where).isEqualTo(504);
                } else {
                    assertThat(answer.status()).as(where + ": " + answer.text()).isEqualTo(200);
                    Duration caller = expected.earliest().isPresent() ? Duration.ofMillis(expected.earliest().getAsLong()) : maximum;
                    assertThat(seen.remainingOnArrival.get()).as(where)
                            .isEqualTo(caller.compareTo(maximum) > 0 ? maximum : caller).isLessThanOrEqualTo(maximum);
                }
                if (answer.status() != 200) {
                    assertThat(seen.arrived.getCount()).as(where + ": the handler never ran").isEqualTo(1);
                }
            }
        } finally {
            serverToken.close();
        }
        System.out.printf("DeadlineHeaderFuzzTest: seed %d, %d requests: %d answered 200, %d 400, %d 504, %d 500%n",
                seed, cases, statuses[200], statuses[400], statuses[504], statuses[500]);
        assertThat(statuses[500]).isZero();
        assertThat(statuses[200] + statuses[400] + statuses[504]).as("no other status").isEqualTo(cases);
    }

    /**
     * What HTTP/1.1 can carry in a header line, as the reference must see it: no line breaks (framing
     * is not what is fuzzed here), ISO-8859-1 only (what the socket sends), at most 4,000 characters
     * (Jetty answers 431 above 8 KiB of headers).
     */
    private static List<String> sendable(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String s = line.length() > 4_000 ? line.substring(0, 4_000) : line;
            s = s.replace('\r', '?').replace('\n', '?');
            out.add(new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1));
        }
        return out.size() > 20 ? out.subList(0, 20) : out;
    }

    /** This thread's allocated bytes, from HotSpot's {@code com.sun.management.ThreadMXBean}. */
    static final class Allocations {
        private static final Object BEAN;
        private static final Method CURRENT;

        static {
            try {
                // Through reflection: this module does not read java.management, and needs it only here.
                BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
                CURRENT = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private Allocations() {}

        static long current() throws ReflectiveOperationException {
            long bytes = (long) CURRENT.invoke(BEAN);
            if (bytes < 0) {
                fail("this JVM does not measure allocation per thread");
            }
            return bytes;
        }
    }
}
