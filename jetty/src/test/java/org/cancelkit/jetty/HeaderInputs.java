package org.cancelkit.jetty;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.cancelkit.http.DeadlineHeader;
import org.jspecify.annotations.Nullable;

/**
 * Inputs for fuzzing the {@value DeadlineHeader#NAME} decoder, and a reference decoder to judge them.
 * Every input is a list of header lines made from a {@link SplittableRandom}, so a seed replays it.
 */
final class HeaderInputs {
    private HeaderInputs() {}

    /** Characters that are not part of the syntax, several of which {@link Long#parseLong} accepts. */
    private static final String JUNK = "-+.eExXabc;=\"'/\\\u0000\u0001\u001f\u007f\u00a0\u00b2\u00e9\u0662\u0665\u06f1"
            + "\u0966\uff11\u2003\u3000\ufeff\uffff\ud800\udc00\r\n\u000b\u000c";
    private static final String OWS = " \t";
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** Valid values and lists that mutations start from. */
    private static final List<List<String>> CORPUS = List.of(
            List.of("0"), List.of("1"), List.of("250"), List.of("30000"), List.of("007"),
            List.of(Long.toString(Long.MAX_VALUE)), List.of("9223372036854775808"), List.of("99999999999999999999"),
            List.of(" 300 "), List.of("\t5\t"), List.of("1, 2"), List.of("900, , 250"), List.of("1,"), List.of(",7"),
            List.of("5000", "200"), List.of("200", "5000"), List.of("1" + ",2".repeat(15)),
            List.of("1,2,3,4,5,6,7,8", "9,10,11,12,13,14,15,16"));

    /** One input: structured random, a mutated corpus entry, or now and then a huge one. */
    static List<String> next(SplittableRandom r) {
        int pick = r.nextInt(100);
        if (pick < 1) {
            return List.of(huge(r));
        }
        if (pick < 50) {
            return structured(r);
        }
        List<String> lines = new ArrayList<>(CORPUS.get(r.nextInt(CORPUS.size())));
        for (int m = 1 + r.nextInt(4); m > 0; m--) {
            mutate(r, lines);
        }
        return lines;
    }

    /** 1-3 lines of values, separators, whitespace and the odd junk character. */
    private static List<String> structured(SplittableRandom r) {
        List<String> lines = new ArrayList<>();
        for (int l = 1 + r.nextInt(3); l > 0; l--) {
            StringBuilder b = new StringBuilder();
            for (int e = r.nextInt(r.nextInt(10) == 0 ? 40 : 5); e >= 0; e--) {
                b.append(ows(r)).append(digits(r)).append(ows(r));
                if (r.nextInt(20) == 0) {
                    b.insert(r.nextInt(b.length() + 1), JUNK.charAt(r.nextInt(JUNK.length())));
                }
                if (e > 0) {
                    b.append(',');
                }
            }
            lines.add(b.toString());
        }
        return lines;
    }

    private static String digits(SplittableRandom r) {
        int n = switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> 19 + r.nextInt(3);   // around Long.MAX_VALUE
            case 2 -> 20 + r.nextInt(200);
            default -> 1 + r.nextInt(6);
        };
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.toString();
    }

    private static String ows(SplittableRandom r) {
        return r.nextInt(4) != 0 ? "" : String.valueOf(OWS.charAt(r.nextInt(2))).repeat(1 + r.nextInt(3));
    }

    private static void mutate(SplittableRandom r, List<String> lines) {
        int i = r.nextInt(lines.size());
        String s = lines.get(i);
        int at = r.nextInt(s.length() + 1);
        String mutated = switch (r.nextInt(9)) {
            case 0 -> s.substring(0, at) + JUNK.charAt(r.nextInt(JUNK.length())) + s.substring(at);
            case 1 -> s.substring(0, at) + (char) ('0' + r.nextInt(10)) + s.substring(at);
            case 2 -> at < s.length() ? s.substring(0, at) + s.substring(at + 1) : s;
            case 3 -> at < s.length() ? s.substring(0, at) + (char) (s.charAt(at) ^ (1 << r.nextInt(16))) + s.substring(at + 1) : s;
            case 4 -> s.substring(0, at) + s.substring(0, at) + s.substring(at);    // duplicate a prefix
            case 5 -> s.substring(0, at);                                            // truncate
            case 6 -> s.substring(0, at) + OWS.charAt(r.nextInt(2)) + s.substring(at);
            case 7 -> s.substring(0, at) + "," + s.substring(at);
            default -> {
                lines.add(r.nextInt(lines.size() + 1), s);                           // repeat the line
                yield s;
            }
        };
        lines.set(i, mutated);
    }

    /** 100,000 to 200,000 characters of one pattern: digits, commas, spaces, a long list, or junk. */
    private static String huge(SplittableRandom r) {
        int n = 100_000 + r.nextInt(100_000);
        return switch (r.nextInt(5)) {
            case 0 -> "9".repeat(n);
            case 1 -> ",".repeat(n);
            case 2 -> " ".repeat(n) + "5";
            case 3 -> "1,".repeat(n / 2);
            default -> String.valueOf(JUNK.charAt(r.nextInt(JUNK.length()))).repeat(n);
        };
    }

    /**
     * What the reference decoder expects.
     *
     * @param refused the header must be refused
     * @param earliest the earliest value in milliseconds, saturated at {@code Long.MAX_VALUE}; empty when
     *     there is no header line (or it is refused)
     */
    record Expected(boolean refused, OptionalLong earliest) {
        static final Expected REFUSED = new Expected(true, OptionalLong.empty());
    }

    /** The reference decoder, written from the documented syntax and independent of the one under test. */
    static Expected reference(List<String> lines) {
        @Nullable BigInteger earliest = null;
        int values = 0;
        for (String line : lines) {
            int inLine = 0;
            for (String element : line.split(",", -1)) {
                String e = stripOws(element);
                if (e.isEmpty()) {
                    continue;
                }
                for (int i = 0; i < e.length(); i++) {
                    if (e.charAt(i) < '0' || e.charAt(i) > '9') {   // ASCII digits only
                        return Expected.REFUSED;
                    }
                }
                inLine++;
                if (++values > DeadlineHeader.MAX_VALUES) {
                    return Expected.REFUSED;
                }
                int zeros = 0;
                while (zeros < e.length() - 1 && e.charAt(zeros) == '0') {
                    zeros++;
                }
                String significant = e.substring(zeros);
                // Past 19 digits every number is beyond Long.MAX_VALUE (and BigInteger's parse is slow there).
                BigInteger v = significant.length() > 19 ? MAX : new BigInteger(significant).min(MAX);
                earliest = earliest == null || v.compareTo(earliest) < 0 ? v : earliest;
            }
            if (inLine == 0) {
                return Expected.REFUSED;
            }
        }
        return new Expected(false, earliest == null ? OptionalLong.empty()
                : OptionalLong.of(earliest.longValueExact()));
    }

    private static String stripOws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && OWS.indexOf(s.charAt(a)) >= 0) {
            a++;
        }
        while (b > a && OWS.indexOf(s.charAt(b - 1)) >= 0) {
            b--;
        }
        return s.substring(a, b);
    }

    /** An input as Java source, for a failure message: control and non-ASCII characters escaped, long ones cut. */
    static String show(List<String> lines) {
        StringBuilder b = new StringBuilder("[");
        for (String line : lines) {
            b.append(b.length() > 1 ? ", \"" : "\"");
            for (int i = 0; i < Math.min(line.length(), 80); i++) {
                char c = line.charAt(i);
                b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            b.append(line.length() > 80 ? "\"... (" + line.length() + " chars)" : "\"");
        }
        return b.append(']').toString();
    }
}
