package org.cancelkit.io.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A transaction's record: which temporary file becomes which target, and the SHA-256 and length of
 * each. Plain text, so a person can read it after a crash, and sealed by a SHA-256 of its own lines,
 * so a torn record is recognised:
 *
 * <pre>
 * cancelkit-transaction 1
 * id 0123456789abcdef
 * file 1234 &lt;sha256&gt; &lt;temp name&gt; &lt;target name&gt;
 * end &lt;sha256 of the lines above&gt;
 * </pre>
 *
 * Names are percent-encoded (every byte of their UTF-8 outside {@code [A-Za-z0-9._-]}).
 *
 * @param id the transaction id
 * @param entries one per file
 */
public record TxRecord(String id, List<Entry> entries) {
    /**
     * The largest record recovery reads: 16 MiB, tens of thousands of files. {@link Journal#commit}
     * refuses to write a larger one, so a larger file is not a record cancelkit wrote.
     */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    private static final int PRINTABLE_CHARS = 200;
    private static final String MAGIC = "cancelkit-transaction 1";
    private static final HexFormat HEX = HexFormat.of();

    /**
     * One file of a transaction.
     *
     * @param target the target's name in the directory
     * @param temp the temporary file's name in the directory
     * @param length the content's length
     * @param sha256 the content's SHA-256, in hex
     */
    public record Entry(String target, String temp, long length, String sha256) {}

    /** Copies the list. */
    public TxRecord {
        entries = List.copyOf(entries);
    }

    /**
     * Returns the record's bytes.
     *
     * @return the record's bytes
     */
    public byte[] encode() {
        StringBuilder b = new StringBuilder(MAGIC).append('\n').append("id ").append(id).append('\n');
        for (Entry e : entries) {
            b.append("file ").append(e.length).append(' ').append(e.sha256).append(' ').append(escape(e.temp))
                    .append(' ').append(escape(e.target)).append('\n');
        }
        String body = b.toString();
        return (body + "end " + sha256(body.getBytes(StandardCharsets.UTF_8)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a record.
     *
     * @param bytes its bytes
     * @param where the record's path, for the error message
     * @return the record
     * @throws FileSystemException when it is torn or not a record
     */
    public static TxRecord decode(byte[] bytes, Path where) throws FileSystemException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.lastIndexOf("end ");
        if (!text.startsWith(MAGIC + "\n") || end < 0 || !text.endsWith("\n")
                || !text.substring(end + 4, text.length() - 1).equals(sha256(text.substring(0, end)
                .getBytes(StandardCharsets.UTF_8)))) {
            throw corrupt(where, "its seal does not match its content");
        }
        String id = null;
        List<Entry> entries = new ArrayList<>();
        for (String line : text.substring(0, end).split("\n")) {
            String[] f = line.split(" ");
            if (f.length == 2 && f[0].equals("id")) {
                id = f[1];
            } else if (f.length == 5 && f[0].equals("file")) {
                try {
                    entries.add(new Entry(unescape(f[4]), unescape(f[3]), Long.parseLong(f[1]), f[2]));
                } catch (IllegalArgumentException e) {
                    throw corrupt(where, "a file line is malformed");
                }
            } else if (!line.equals(MAGIC)) {
                throw corrupt(where, "an unknown line: " + printable(line));
            }
        }
        if (id == null) {
            throw corrupt(where, "it has no id");
        }
        return new TxRecord(id, entries);
    }

    /**
     * Returns text from a record as it may appear in a message: control and other invisible characters
     * as {@code \\uXXXX}, at most 200 characters. A forged record must not write into a log or terminal.
     *
     * @param s the text
     * @return the text, printable and short
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < s.length() && b.length() < PRINTABLE_CHARS; i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (c < 0x20 || c == 0x7f || c == '\\' || type == Character.FORMAT || type == Character.CONTROL
                    || type == Character.UNASSIGNED || Character.isSurrogate(c)) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return i < s.length() ? b + "…" : b.toString();
    }

    private static FileSystemException corrupt(Path where, String why) {
        return new FileSystemException(where.toString(), null, "is not a valid cancelkit transaction record ("
                + why + "). A record is synced before it counts, so this means the disk lost synced data or "
                + "someone edited it. cancelkit leaves the directory as it is: check the files it names, restore "
                + "them if needed, then delete the record");
    }

    /**
     * Returns the SHA-256 of {@code bytes} in hex.
     *
     * @param bytes the bytes
     * @return their SHA-256 in hex
     */
    public static String sha256(byte[] bytes) {
        return HEX.formatHex(digest().digest(bytes));
    }

    /**
     * Returns a new SHA-256 digest.
     *
     * @return a new SHA-256 digest
     */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }

    /**
     * Returns bytes in hex.
     *
     * @param bytes the bytes
     * @return their hex
     */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    private static String escape(String name) {
        StringBuilder b = new StringBuilder();
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-') {
                b.append(c);
            } else {
                b.append('%').append(HEX.toHexDigits(x));
            }
        }
        return b.toString();
    }

    private static String unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                out.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
