package org.cancelkit.jobs.postgres.internal;

import static org.cancelkit.jobs.internal.CheckpointJson.firstLine;
import static org.cancelkit.jobs.internal.CheckpointJson.limit;
import static org.cancelkit.jobs.internal.CheckpointJson.limitsAdvice;
import static org.cancelkit.jobs.internal.CheckpointJson.mapper;
import static org.cancelkit.jobs.internal.CheckpointJson.shown;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.postgres.PartitionCheckpointException;

/**
 * A partition's checkpoint to JSON text and back, checked on every read (J2): the document carries its
 * body's length and CRC32C (computed on the body's canonical compact form, as the file store does), and
 * the body names the job, the partition and the job's shape, so a damaged, foreign or incompatible row
 * is a {@link PartitionCheckpointException}, never a silent restart.
 *
 * <p>Size: a checkpoint is at most the job's {@link JobOptions#maxCheckpointBytes()} bytes of UTF-8, on
 * write and on read, and the JSON reader's fixed limits (number length, nesting depth) hold for both; a
 * checkpoint over any of them is {@link Problem#TOO_LARGE}, saying the limit and how to raise it.
 *
 * <pre>{@code
 * {"format":"cancelkit-partition-checkpoint","formatVersion":1,"bodyLength":190,"crc32c":"1a2b3c4d",
 *  "body":{"job":"squares","partition":3,"partitions":16,"stateVersion":1,"totalItems":100000,
 *          "firstItem":18750,"endItem":25000,"nextItem":19200,"outputRows":450,"state":{...}}}
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class PartitionCodec {
    /** The {@code format} of every partition checkpoint. */
    public static final String FORMAT = "cancelkit-partition-checkpoint";
    /** The format version written and read. */
    public static final int FORMAT_VERSION = 1;

    // The mapper (decimals as BigDecimal with their scale, the read limits) and the quoting of stored text are
    // jobs' CheckpointJson, shared with the file codec.
    private static final String START_OVER = "To start the job over, delete it (JobDatabase.delete or `cancelkit "
            + "jobs delete`) and submit it again; to keep the work done, restore the row from a backup";
    private static final String RAISE = "JobOptions.withMaxCheckpointBytes, in ClusterOptions.withJob, raises it";

    private PartitionCodec() {}

    /**
     * Encodes a checkpoint within the default size limit, {@link JobOptions#DEFAULT_MAX_CHECKPOINT_BYTES}.
     *
     * @param cp the checkpoint
     * @return the JSON text
     * @throws IOException when the state cannot be written as JSON, or is too large
     */
    public static String encode(PartitionCheckpoint<?> cp) throws IOException {
        return encode("partitions", cp, JobOptions.DEFAULT_MAX_CHECKPOINT_BYTES);
    }

    /**
     * Encodes a checkpoint of at most {@code maxBytes} bytes of UTF-8.
     *
     * @param table the partitions table, for messages
     * @param cp the checkpoint
     * @param maxBytes the job's {@link JobOptions#maxCheckpointBytes()}
     * @return the JSON text
     * @throws PartitionCheckpointException with {@link Problem#TOO_LARGE} when the checkpoint would be over
     *         {@code maxBytes}, or its state over a limit of the JSON reader
     * @throws IOException when the state cannot be written as JSON
     */
    public static String encode(String table, PartitionCheckpoint<?> cp, int maxBytes) throws IOException {
        try {
            return new String(encodeUnchecked(table, cp, maxBytes), StandardCharsets.UTF_8);
        } catch (IOException | IllegalArgumentException e) {
            StreamConstraintsException limit = limit(e);
            if (limit == null) {
                throw e;
            }
            throw tooLarge(table, cp, "the partition's state is over a limit of its JSON checkpoint, so no checkpoint "
                    + "was written", maxBytes, limit);
        }
    }

    private static byte[] encodeUnchecked(String table, PartitionCheckpoint<?> cp, int maxBytes) throws IOException {
        JsonMapper mapper = mapper(maxBytes);
        ObjectNode body = mapper.createObjectNode();
        body.put("job", cp.jobId());
        body.put("partition", cp.partition());
        body.put("partitions", cp.partitions());
        body.put("stateVersion", cp.stateVersion());
        body.put("totalItems", cp.totalItems());
        body.put("firstItem", cp.firstItem());
        body.put("endItem", cp.endItem());
        body.put("nextItem", cp.nextItem());
        body.put("outputRows", cp.outputRows());
        try {
            body.set("state", mapper.valueToTree(cp.state()));
        } catch (IllegalArgumentException e) {
            if (limit(e) != null) {
                throw e; // encode reports it
            }
            throw new IOException("job '" + cp.jobId() + "': its state " + cp.state().getClass() + " cannot be "
                    + "written as JSON (" + e.getMessage() + "); use a public record or bean with public accessors, "
                    + "in a package its module exports", e);
        }
        byte[] written = mapper.writeValueAsBytes(body);
        if (written.length > maxBytes) { // the body alone is over: not read back (the reader's limit would refuse it)
            throw overLimit(table, cp, "more than " + written.length, maxBytes);
        }
        JsonNode canonical = mapper.readTree(written);
        byte[] bytes = mapper.writeValueAsBytes(canonical);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("bodyLength", bytes.length);
        root.put("crc32c", crc(bytes));
        root.set("body", canonical);
        byte[] doc = mapper.writeValueAsBytes(root);
        if (doc.length > maxBytes) {
            throw overLimit(table, cp, String.valueOf(doc.length), maxBytes);
        }
        return doc;
    }

    private static PartitionCheckpointException overLimit(String table, PartitionCheckpoint<?> cp, String size,
            int maxBytes) {
        return new PartitionCheckpointException(table, cp.jobId(), cp.partition(), Problem.TOO_LARGE, "the "
                + "partition's checkpoint would take " + size + " bytes, over the limit of " + maxBytes + " bytes, so "
                + "it was not written", "If the state is really that large, raise the limit (" + RAISE + "); "
                + "better, keep large data out of the state (in the output, or in tables of your own written in the "
                + "chunk's transaction, with only references to it in the state)", null);
    }

    /**
     * The refusal of a row whose checkpoint is over the size limit, for a row whose text was not fetched.
     *
     * @param table the partitions table, for messages
     * @param expected the job's own view of the partition
     * @param storedBytes the checkpoint's size in the row, in bytes
     * @param maxBytes the job's {@link JobOptions#maxCheckpointBytes()}
     * @return the exception, with {@link Problem#TOO_LARGE}
     */
    public static PartitionCheckpointException oversized(String table, PartitionCheckpoint<?> expected,
            long storedBytes, int maxBytes) {
        return new PartitionCheckpointException(table, expected.jobId(), expected.partition(), Problem.TOO_LARGE,
                "the row's checkpoint has " + storedBytes + " bytes, over the limit of " + maxBytes + " bytes; it was "
                + "refused unparsed", "If the job's state is really that large, raise the limit on every worker (" + RAISE
                + "). " + START_OVER, null);
    }

    /** What a limit of the JSON reader says, and how to proceed, for {@link Problem#TOO_LARGE}. */
    private static PartitionCheckpointException tooLarge(String table, PartitionCheckpoint<?> cp, String what,
            int maxBytes, Throwable cause) {
        return new PartitionCheckpointException(table, cp.jobId(), cp.partition(), Problem.TOO_LARGE, what + " ("
                + shown(firstLine(cause)) + ")", limitsAdvice(maxBytes, RAISE, "tables of your own"), cause);
    }

    /**
     * Decodes a checkpoint within the default size limit, {@link JobOptions#DEFAULT_MAX_CHECKPOINT_BYTES}.
     *
     * @param table the partitions table, for messages
     * @param text the row's {@code checkpoint}
     * @param expected the job's own view of this partition at item {@code firstItem} (its shape)
     * @param rowNextItem the row's {@code next_item}, which must agree
     * @param stateType the state type
     * @param <S> the state type
     * @return the checkpoint
     * @throws PartitionCheckpointException when anything is wrong
     */
    public static <S> PartitionCheckpoint<S> decode(String table, String text, PartitionCheckpoint<S> expected,
            long rowNextItem, Class<S> stateType) throws PartitionCheckpointException {
        return decode(table, text, expected, rowNextItem, stateType, JobOptions.DEFAULT_MAX_CHECKPOINT_BYTES);
    }

    /**
     * Decodes a checkpoint read from a partition row and checks it against the job and the row; a text
     * over {@code maxBytes} bytes of UTF-8 is refused before it is parsed.
     *
     * @param table the partitions table, for messages
     * @param text the row's {@code checkpoint}
     * @param expected the job's own view of this partition at item {@code firstItem} (its shape)
     * @param rowNextItem the row's {@code next_item}, which must agree
     * @param stateType the state type
     * @param maxBytes the job's {@link JobOptions#maxCheckpointBytes()}
     * @param <S> the state type
     * @return the checkpoint
     * @throws PartitionCheckpointException when anything is wrong
     */
    public static <S> PartitionCheckpoint<S> decode(String table, String text, PartitionCheckpoint<S> expected,
            long rowNextItem, Class<S> stateType, int maxBytes) throws PartitionCheckpointException {
        String job = expected.jobId();
        int p = expected.partition();
        if (text.isEmpty()) {
            throw new PartitionCheckpointException(table, job, p, Problem.EMPTY, "the checkpoint is empty", START_OVER,
                    null);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBytes) {
            throw oversized(table, expected, bytes.length, maxBytes);
        }
        JsonMapper mapper = mapper(maxBytes);
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw tooLarge(table, expected, "the checkpoint is over a limit of its JSON reader", maxBytes, e);
        } catch (JsonEOFException e) {
            throw new PartitionCheckpointException(table, job, p, Problem.TRUNCATED, "the checkpoint ends in the "
                    + "middle of its JSON after " + text.length() + " characters: it was cut short", START_OVER, e);
        } catch (IOException e) {
            if (firstLine(e).startsWith("Unexpected end-of-input")) { // a cut right after a ',' is not a JsonEOFException
                throw new PartitionCheckpointException(table, job, p, Problem.TRUNCATED, "the checkpoint ends in the "
                        + "middle of its JSON after " + text.length() + " characters: it was cut short", START_OVER, e);
            }
            throw corrupt(table, expected, "it is not valid JSON (" + shown(firstLine(e)) + ")");
        } catch (IllegalArgumentException | ArithmeticException e) {
            // a number Jackson tokenizes but BigDecimal refuses (an exponent past int range)
            throw corrupt(table, expected, "it holds a number that cannot be read (" + shown(firstLine(e)) + ")");
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new PartitionCheckpointException(table, job, p, Problem.NOT_A_CHECKPOINT, "the row's checkpoint is "
                    + "not a cancelkit partition checkpoint (no \"format\": \"" + FORMAT + "\")", "Something other "
                    + "than cancelkit wrote this row; give each application its own table prefix. " + START_OVER, null);
        }
        JsonNode version = root.path("formatVersion");
        if (!version.isInt() || version.intValue() != FORMAT_VERSION) {
            throw new PartitionCheckpointException(table, job, p, Problem.UNSUPPORTED_FORMAT, "the checkpoint has "
                    + "format version " + shown(version) + ", this cancelkit reads version " + FORMAT_VERSION,
                    "Run the workers with the cancelkit version that wrote it. " + START_OVER, null);
        }
        JsonNode body = root.path("body");
        if (!body.isObject()) {
            throw corrupt(table, expected, "it has no \"body\" object");
        }
        byte[] canonical;
        try {
            canonical = mapper.writeValueAsBytes(body);
        } catch (JacksonException e) {
            throw corrupt(table, expected, "its body cannot be written back (" + shown(firstLine(e)) + ")");
        }
        JsonNode bodyLength = root.path("bodyLength");
        if (!bodyLength.isIntegralNumber() || !bodyLength.canConvertToLong()
                || bodyLength.longValue() != canonical.length || !root.path("crc32c").isTextual()
                || !crc(canonical).equals(root.path("crc32c").textValue())) {
            throw corrupt(table, expected, "its checksum does not match its content (bodyLength " + shown(bodyLength)
                    + " vs " + canonical.length + ", crc32c " + shown(root.path("crc32c")) + " vs \"" + crc(canonical)
                    + "\"): it was changed or damaged after it was written");
        }
        String foundJob = body.path("job").isTextual() ? body.path("job").textValue() : "";
        int partitions = intField(table, expected, body, "partitions", 1, Integer.MAX_VALUE);
        int partition = intField(table, expected, body, "partition", 0, partitions - 1);
        if (!foundJob.equals(job) || partition != p) {
            throw new PartitionCheckpointException(table, job, p, Problem.WRONG_JOB, "the row holds the checkpoint of "
                    + "job '" + shown(foundJob) + "', partition " + partition + " (copied from elsewhere?)",
                    "Give each application its own table prefix. " + START_OVER, null);
        }
        int stateVersion = intField(table, expected, body, "stateVersion", 1, Integer.MAX_VALUE);
        if (stateVersion != expected.stateVersion()) {
            throw new PartitionCheckpointException(table, job, p, Problem.WRONG_STATE_VERSION, "the checkpoint's "
                    + "state is version " + stateVersion + ", this worker's state is version "
                    + expected.stateVersion(), "Run the workers with the code of state version " + stateVersion
                    + ". " + START_OVER, null);
        }
        long total = longField(table, expected, body, "totalItems");
        long first = longField(table, expected, body, "firstItem");
        long end = longField(table, expected, body, "endItem");
        if (total != expected.totalItems() || partitions != expected.partitions() || first != expected.firstItem()
                || end != expected.endItem()) {
            throw new PartitionCheckpointException(table, job, p, Problem.WRONG_ITEM_COUNT, "the checkpoint was "
                    + "written for " + total + " items in " + partitions + " partitions (this one items " + first
                    + ".." + (end - 1) + "), this worker has " + expected.totalItems() + " items in "
                    + expected.partitions() + " partitions", "Run every worker with the same items. " + START_OVER,
                    null);
        }
        long next = longField(table, expected, body, "nextItem");
        long rows = longField(table, expected, body, "outputRows");
        if (next < first || next > end || rows < 0 || rows > next - first) {
            throw corrupt(table, expected, "its figures are out of range (items " + first + ".." + end + ", nextItem "
                    + next + ", outputRows " + rows + ")");
        }
        if (next != rowNextItem) {
            throw corrupt(table, expected, "its nextItem " + next + " disagrees with the row's next_item "
                    + rowNextItem + " (the row was edited by hand?)");
        }
        S state;
        try {
            state = mapper.treeToValue(body.path("state"), stateType);
        } catch (JacksonException | IllegalArgumentException e) {
            if (limit(e) != null) {
                throw tooLarge(table, expected, "the checkpoint's state is over a limit of its JSON reader", maxBytes,
                        Objects.requireNonNull(limit(e)));
            }
            throw new PartitionCheckpointException(table, job, p, Problem.UNREADABLE_STATE, "the checkpoint's state "
                    + "cannot be read as " + stateType.getName() + " (" + shown(firstLine(e)) + ")",
                    "If the state's shape changed, raise the state version. " + START_OVER, e);
        }
        if (state == null) {
            throw corrupt(table, expected, "its state is missing");
        }
        return expected.advance(next, rows, state);
    }

    /**
     * A whole number from {@code min} to {@code max}: 4294967297 is out of range, not 1, and a partition
     * outside {@code 0 .. partitions - 1} is refused before anything is computed from it.
     */
    private static int intField(String table, PartitionCheckpoint<?> expected, JsonNode body, String name, int min,
            int max) throws PartitionCheckpointException {
        JsonNode n = body.path(name);
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            throw corrupt(table, expected, "its \"" + name + "\" is " + shown(n) + ": it must be a whole number from "
                    + min + " to " + max + (name.equals("partition") ? " (0 to partitions - 1)" : ""));
        }
        return n.intValue();
    }

    private static long longField(String table, PartitionCheckpoint<?> expected, JsonNode body, String name)
            throws PartitionCheckpointException {
        JsonNode n = body.path(name);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw corrupt(table, expected, "its \"" + name + "\" is not a whole number (" + shown(n) + ")");
        }
        return n.longValue();
    }

    private static PartitionCheckpointException corrupt(String table, PartitionCheckpoint<?> expected, String what) {
        return new PartitionCheckpointException(table, expected.jobId(), expected.partition(), Problem.CORRUPT,
                "the checkpoint is damaged: " + what, START_OVER, null);
    }

    private static String crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
