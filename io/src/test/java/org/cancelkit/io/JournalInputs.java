package org.cancelkit.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.cancelkit.io.internal.TempNames;
import org.cancelkit.io.internal.TxRecord;

/**
 * Transaction records as an attacker who can write the directory makes them: random bytes, honest
 * records, records with hostile names, and mutations of all of these, most of them sealed again (the
 * seal is an unkeyed SHA-256 anyone can recompute), so that they reach the checks behind the seal.
 */
final class JournalInputs {
    /** Names a record may give its targets: plain ones, and every way out of the directory. */
    static final List<String> TARGETS = List.of("t", "a.conf", "important.db", "x".repeat(150) + "é".repeat(30),
            "../escaped.txt", "..", ".", "", "/tmp/absolute.txt", "sub/pwned.txt", "sub/../t", "./t", "t/",
            "link", "..%2fescaped", "a\u0000b", "a\nb", "con", TempNames.LOCK, ".cancelkit-tx-0123456789abcdef.intent",
            "\u202eevil", "é", "\\..\\escaped");
    private static final List<String> TOKENS = List.of("%", "%2f", "%2e%2e", "..", "/", "\n", " ", "end ", "id ",
            "file ", "-1", "9223372036854775808", "0", "\u0000", "%zz", ".tx-", ".cancelkit.tmp",
            "cancelkit-transaction 1\n");
    private static final HexFormat HEX = HexFormat.of();

    private JournalInputs() {}

    static String id(Random r) {
        byte[] b = new byte[8];
        r.nextBytes(b);
        return HEX.formatHex(b);
    }

    static String target(Random r) {
        return TARGETS.get(r.nextInt(TARGETS.size()));
    }

    /** A temporary file name for {@code target}: mostly the exact form, sometimes anything else. */
    static String temp(Random r, String target, String id) {
        return switch (r.nextInt(8)) {
            case 0 -> "../secret.key";
            case 1 -> "important.db";
            case 2 -> TempNames.txTemp(target, id(r)); // another transaction's
            case 3 -> target(r);
            case 4 -> "/tmp/" + target;
            default -> TempNames.txTemp(target, id);
        };
    }

    /** A record with 0 to 4 entries; lengths and checksums are those of {@code content}, or random. */
    static TxRecord record(Random r, String id, byte[] content) {
        List<TxRecord.Entry> entries = new ArrayList<>();
        for (int n = r.nextInt(5); n > 0; n--) {
            String target = target(r);
            boolean honest = r.nextInt(3) > 0;
            entries.add(new TxRecord.Entry(target, temp(r, target, id),
                    honest ? content.length : r.nextLong(), honest ? TxRecord.sha256(content) : id(r) + id(r)));
        }
        return new TxRecord(r.nextInt(6) == 0 ? id(r) : id, entries);
    }

    /** Any input for the decoder. */
    static byte[] any(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> randomBytes(r, r.nextInt(512));
            case 1 -> randomLines(r);
            case 2 -> record(r, id(r), randomBytes(r, 8)).encode();
            default -> mutate(r, record(r, id(r), randomBytes(r, 8)).encode());
        };
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] randomLines(Random r) {
        StringBuilder b = new StringBuilder("cancelkit-transaction 1\n");
        for (int n = r.nextInt(6); n > 0; n--) {
            b.append(TOKENS.get(r.nextInt(TOKENS.size()))).append(TOKENS.get(r.nextInt(TOKENS.size())))
                    .append(r.nextInt(3) == 0 ? "\n" : " ");
        }
        return seal(b.toString());
    }

    /** One to four mutations, then sealed again, mostly. */
    static byte[] mutate(Random r, byte[] input) {
        byte[] b = input;
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
            b = mutateOnce(r, b);
        }
        if (r.nextInt(10) < 7) {
            String text = new String(b, UTF_8);
            int end = text.lastIndexOf("end ");
            return seal(end < 0 ? text : text.substring(0, end));
        }
        return b;
    }

    private static byte[] mutateOnce(Random r, byte[] b) {
        if (b.length == 0) {
            return TOKENS.get(r.nextInt(TOKENS.size())).getBytes(UTF_8);
        }
        int at = r.nextInt(b.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (r.nextInt(5)) {
            case 0 -> { // flip a bit
                byte[] c = b.clone();
                c[at] ^= (byte) (1 << r.nextInt(8));
                return c;
            }
            case 1 -> { // delete a range
                int len = r.nextInt(Math.min(32, b.length - at) + 1);
                out.write(b, 0, at);
                out.write(b, at + len, b.length - at - len);
            }
            case 2 -> { // duplicate a range (a line twice, say)
                int len = r.nextInt(Math.min(128, b.length - at) + 1);
                out.write(b, 0, at + len);
                out.write(b, at, b.length - at);
            }
            default -> { // insert a token
                out.write(b, 0, at);
                out.writeBytes(TOKENS.get(r.nextInt(TOKENS.size())).getBytes(UTF_8));
                out.write(b, at, b.length - at);
            }
        }
        return out.toByteArray();
    }

    /** {@code body} sealed as a record is: followed by "end" and the SHA-256 of the body. */
    static byte[] seal(String body) {
        String b = body.endsWith("\n") || body.isEmpty() ? body : body + "\n";
        return (b + "end " + TxRecord.sha256(b.getBytes(UTF_8)) + "\n").getBytes(UTF_8);
    }
}
