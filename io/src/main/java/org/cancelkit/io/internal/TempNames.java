package org.cancelkit.io.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The names cancelkit gives the files it leaves beside a target, so that recovery recognises every
 * one of them and nothing else.
 *
 * <ul>
 *   <li>A writer's temporary file: {@code .<name>.<pid>-<boot>-<random>.cancelkit.tmp}, where
 *       {@code boot} is the first 8 hex digits of the boot id: recovery removes it once that process is
 *       gone.</li>
 *   <li>A transaction's temporary file: {@code .<name>.tx-<id>.cancelkit.tmp}.</li>
 *   <li>A transaction record: {@code .cancelkit-tx-<id>.intent}, renamed to
 *       {@code .cancelkit-tx-<id>.committed} at the commit point.</li>
 *   <li>The directory's lock: {@code .cancelkit.lock}.</li>
 * </ul>
 * Inside a temporary name the target's name appears whole when it is at most 120 bytes of UTF-8;
 * a longer one is cut to 120 bytes and followed by {@code ~} and 32 hex digits of the SHA-256 of the
 * whole name. So two targets never share a temporary name, whatever their length (two long names
 * sharing their first 120 bytes differ in the hash), the two forms cannot be confused (the embedded
 * part of the long form is more than 120 bytes), and every name stays under the usual 255-byte limit.
 *
 * <p>Recovery trusts a transaction record only when each temporary file it names is exactly
 * {@link #txTemp(String, String)} of its target and the record's id: a record cannot point recovery
 * at any other file.
 */
public final class TempNames {
    /** The directory lock's name. */
    public static final String LOCK = ".cancelkit.lock";
    private static final String SUFFIX = ".cancelkit.tmp";
    private static final String RECORD_PREFIX = ".cancelkit-tx-";
    private static final String INTENT = ".intent";
    private static final String COMMITTED = ".committed";
    private static final Pattern WRITER = Pattern.compile("^\\..*\\.(\\d+)-([0-9a-f]{8})-[0-9a-f]{8}\\.cancelkit\\.tmp$",
            Pattern.DOTALL);
    private static final Pattern TX_TEMP = Pattern.compile("^\\..*\\.tx-([0-9a-f]{16})\\.cancelkit\\.tmp$",
            Pattern.DOTALL);
    private static final Pattern RECORD = Pattern.compile("^\\.cancelkit-tx-([0-9a-f]{16})\\.(intent|committed)$");
    private static final int NAME_BYTES = 120;
    private static final int HASH_HEX = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private TempNames() {}

    /**
     * A writer temp's owner: the process that made it.
     *
     * @param pid its pid
     * @param bootPrefix the first 8 hex digits of its boot id
     */
    public record WriterTemp(long pid, String bootPrefix) {}

    /**
     * Returns a fresh name for a writer's temporary file.
     *
     * @param target the target's file name
     * @param owner this process
     * @return the name
     */
    public static String writerTemp(String target, OwnerId owner) {
        return "." + embed(target) + "." + owner.pid() + "-" + owner.bootPrefix() + "-" + randomHex(4) + SUFFIX;
    }

    /**
     * Returns the name of a transaction's temporary file.
     *
     * @param target the target's file name
     * @param txId the transaction id
     * @return the name
     */
    public static String txTemp(String target, String txId) {
        return "." + embed(target) + ".tx-" + txId + SUFFIX;
    }

    /**
     * Returns a new transaction id: 16 hex digits.
     *
     * @return a new transaction id
     */
    public static String newTxId() {
        return randomHex(8);
    }

    /**
     * Returns the intent record's name.
     *
     * @param txId the transaction id
     * @return the name
     */
    public static String intent(String txId) {
        return RECORD_PREFIX + txId + INTENT;
    }

    /**
     * Returns the committed record's name.
     *
     * @param txId the transaction id
     * @return the name
     */
    public static String committed(String txId) {
        return RECORD_PREFIX + txId + COMMITTED;
    }

    /**
     * Parses a writer's temporary file name.
     *
     * @param name a file name
     * @return its owner, or null when it is not one
     */
    public static @Nullable WriterTemp parseWriterTemp(String name) {
        Matcher m = WRITER.matcher(name);
        if (!m.matches()) {
            return null;
        }
        try {
            return new WriterTemp(Long.parseLong(m.group(1)), m.group(2));
        } catch (NumberFormatException e) {
            return null; // a pid too large for a long: not ours
        }
    }

    /**
     * Returns the transaction id in a transaction temp's name, or null.
     *
     * @param name a file name
     * @return the id, or null when it is not one
     */
    public static @Nullable String txIdOfTemp(String name) {
        Matcher m = TX_TEMP.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    /**
     * Returns the transaction id of a record's name, or null.
     *
     * @param name a file name
     * @return the id, or null when it is not a record
     */
    public static @Nullable String txIdOfRecord(String name) {
        Matcher m = RECORD.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    /**
     * Returns true for a committed record's name.
     *
     * @param name a record's name
     * @return true when committed
     */
    public static boolean isCommitted(String name) {
        return name.endsWith(COMMITTED);
    }

    /**
     * Returns true for every name cancelkit reserves: temporary files, records, the lock.
     *
     * @param name a file name
     * @return true when reserved
     */
    public static boolean isReserved(String name) {
        return name.equals(LOCK) || name.endsWith(SUFFIX) || name.startsWith(RECORD_PREFIX);
    }

    /** The target's name as it appears in a temporary name: whole, or cut and hashed (see above). */
    private static String embed(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= NAME_BYTES) {
            return name;
        }
        return cut(name) + "~" + TxRecord.sha256(utf8).substring(0, HASH_HEX);
    }

    private static String cut(String name) {
        int end = name.length();
        while (name.substring(0, end).getBytes(StandardCharsets.UTF_8).length > NAME_BYTES) {
            end = name.offsetByCodePoints(end, -1);
        }
        return name.substring(0, end);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }
}
