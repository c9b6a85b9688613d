package org.cancelkit.jobs.internal;

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
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.cancelkit.jobs.Checkpoint;
import org.cancelkit.jobs.CheckpointException;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.JobOptions;

/**
 * Checkpoints to JSON and back, with every way a file can be wrong turned into a
 * {@link CheckpointException} that names the file (J2).
 *
 * <p>The file:
 * <pre>{@code
 * {
 *   "format" : "cancelkit-job-checkpoint",
 *   "formatVersion" : 1,
 *   "bodyLength" : 123,
 *   "crc32c" : "1a2b3c4d",
 *   "body" : { "job" : "...", "stateVersion" : 1, "nextItem" : 120, "totalItems" : 200,
 *              "outputLength" : 4567, "state" : { ... } }
 * }
 * }</pre>
 * The length and CRC32C cover the body in canonical form: the body parsed as a JSON tree and written
 * compactly. Writing computes them on that form too (the body is parsed back before it is measured), so
 * the pretty-printing of the file and the way Jackson prints numbers do not matter, and any change to a
 * value of the body (a flipped digit, a cut string) is caught even when the JSON still parses.
 *
 * <p>The mapper does not override access modifiers: the state type must be public with public accessors
 * (a public record is), in a package its module exports or opens to {@code com.fasterxml.jackson.databind}.
 *
 * <p>Stateless and thread-safe.
 */
public final class CheckpointCodec {
    /** The {@code format} value of every checkpoint. */
    public static final String FORMAT = "cancelkit-job-checkpoint";
    /** The format version this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    // The mapper, its read limits and the quoting of stored text are CheckpointJson's, shared with jobs-postgres.
    private static final String START_OVER = "To start the job over, call Job.reset() (it discards the output and "
            + "the checkpoint); to keep the work done, restore this file from a backup";

    private CheckpointCodec() {}

    /** What a limit exception says, and how to proceed, for {@link Problem#TOO_LARGE}. */
    private static CheckpointException tooLarge(Path file, String what, int maxBytes, Throwable cause) {
        return new CheckpointException(file, Problem.TOO_LARGE, what + ": " + shown(firstLine(cause)),
                limitsAdvice(maxBytes, "JobOptions.withMaxCheckpointBytes raises it", "files of your own"), cause);
    }

    /**
     * Encodes a checkpoint with the default size limit.
     *
     * @param checkpoint the checkpoint
     * @return the file's bytes
     * @throws IOException when the state cannot be written as JSON, or is too large
     */
    public static byte[] encode(Checkpoint<?> checkpoint) throws IOException {
        return encode(checkpoint, Path.of(checkpoint.jobId() + ".checkpoint.json"),
                JobOptions.DEFAULT_MAX_CHECKPOINT_BYTES);
    }

    /**
     * Encodes a checkpoint.
     *
     * @param checkpoint the checkpoint
     * @param file the checkpoint file, for the messages
     * @param maxBytes the largest checkpoint allowed
     * @return the file's bytes
     * @throws CheckpointException with {@link Problem#TOO_LARGE} when the state is over a limit
     * @throws IOException when the state cannot be written as JSON
     */
    public static byte[] encode(Checkpoint<?> checkpoint, Path file, int maxBytes) throws IOException {
        try {
            byte[] bytes = encodeUnchecked(checkpoint, mapper(maxBytes));
            if (bytes.length > maxBytes) {
                throw new CheckpointException(file, Problem.TOO_LARGE, "the checkpoint of job '" + checkpoint.jobId()
                        + "' would take " + bytes.length + " bytes, over the limit of " + maxBytes, "Raise "
                        + "JobOptions.withMaxCheckpointBytes, or keep large data out of the state (in the output or "
                        + "in files of your own, with only references to it in the state)", null);
            }
            return bytes;
        } catch (IOException | IllegalArgumentException e) {
            StreamConstraintsException limit = limit(e);
            if (limit == null) {
                throw e;
            }
            throw tooLarge(file, "the state of job '" + checkpoint.jobId() + "' is over a limit of the JSON "
                    + "checkpoint, so no checkpoint was written", maxBytes, limit);
        }
    }

    private static byte[] encodeUnchecked(Checkpoint<?> checkpoint, JsonMapper mapper) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("job", checkpoint.jobId());
        body.put("stateVersion", checkpoint.stateVersion());
        body.put("nextItem", checkpoint.nextItem());
        body.put("totalItems", checkpoint.totalItems());
        body.put("outputLength", checkpoint.outputLength());
        try {
            body.set("state", mapper.valueToTree(checkpoint.state()));
        } catch (IllegalArgumentException e) {
            if (limit(e) != null) {
                throw e; // encode reports it
            }
            throw new IOException("job '" + checkpoint.jobId() + "': its state " + checkpoint.state().getClass()
                    + " cannot be written as JSON (" + e.getMessage() + "); use a public record or bean with public "
                    + "accessors, in a package its module exports", e);
        }
        JsonNode canonical = mapper.readTree(mapper.writeValueAsBytes(body));
        byte[] bytes = mapper.writeValueAsBytes(canonical);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("bodyLength", bytes.length);
        root.put("crc32c", crc(bytes));
        root.set("body", canonical);
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /**
     * Decodes and checks a checkpoint of the job described by the expected values.
     *
     * @param file where the bytes come from, for the messages
     * @param bytes the file's bytes
     * @param jobId the job's id
     * @param stateVersion the job's state version
     * @param totalItems the job's item count
     * @param stateType the job's state type
     * @param <S> the state type
     * @return the checkpoint
     * @throws CheckpointException when anything is wrong, naming the file and the problem
     */
    public static <S> Checkpoint<S> decode(Path file, byte[] bytes, String jobId, int stateVersion, long totalItems,
            Class<S> stateType) throws CheckpointException {
        return decode(file, bytes, jobId, stateVersion, totalItems, stateType, JobOptions.DEFAULT_MAX_CHECKPOINT_BYTES);
    }

    /**
     * Decodes and checks a checkpoint of the job described by the expected values, within a size limit.
     *
     * @param file where the bytes come from, for the messages
     * @param bytes the file's bytes
     * @param jobId the job's id
     * @param stateVersion the job's state version
     * @param totalItems the job's item count
     * @param stateType the job's state type
     * @param maxBytes the largest checkpoint allowed
     * @param <S> the state type
     * @return the checkpoint
     * @throws CheckpointException when anything is wrong, naming the file and the problem
     */
    public static <S> Checkpoint<S> decode(Path file, byte[] bytes, String jobId, int stateVersion, long totalItems,
            Class<S> stateType, int maxBytes) throws CheckpointException {
        JsonMapper mapper = mapper(maxBytes);
        if (bytes.length > maxBytes) {
            throw new CheckpointException(file, Problem.TOO_LARGE, "the checkpoint has more than " + maxBytes
                    + " bytes, the job's limit", "If the job's state is really that large, raise "
                    + "JobOptions.withMaxCheckpointBytes. " + START_OVER, null);
        }
        if (bytes.length == 0) {
            throw new CheckpointException(file, Problem.EMPTY, "the checkpoint file is empty (0 bytes)", START_OVER,
                    null);
        }
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw tooLarge(file, "the checkpoint is over a limit of its JSON reader", maxBytes, e);
        } catch (JsonEOFException e) {
            throw new CheckpointException(file, Problem.TRUNCATED, "the checkpoint ends in the middle of its JSON after "
                    + bytes.length + " bytes: it was cut short", START_OVER, e);
        } catch (IOException e) {
            throw new CheckpointException(file, Problem.CORRUPT, "the checkpoint is not valid JSON ("
                    + shown(firstLine(e)) + ")", START_OVER, e);
        } catch (IllegalArgumentException | ArithmeticException e) {
            // a number Jackson tokenizes but BigDecimal refuses (an exponent past int range)
            throw new CheckpointException(file, Problem.CORRUPT, "the checkpoint holds a number that cannot be "
                    + "read (" + shown(firstLine(e)) + ")", START_OVER, e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new CheckpointException(file, Problem.NOT_A_CHECKPOINT, "the file is not a cancelkit job checkpoint "
                    + "(no \"format\": \"" + FORMAT + "\")", "Point the job at its own checkpoint file, or move this "
                    + "file away if it is not one. " + START_OVER, null);
        }
        JsonNode version = root.path("formatVersion");
        if (!version.isInt() || version.intValue() != FORMAT_VERSION) {
            throw new CheckpointException(file, Problem.UNSUPPORTED_FORMAT, "the checkpoint has format version "
                    + shown(version) + ", this cancelkit reads version " + FORMAT_VERSION, "Resume it with the cancelkit "
                    + "version that wrote it. " + START_OVER, null);
        }
        JsonNode body = root.path("body");
        if (!body.isObject()) {
            throw corrupt(file, "it has no \"body\" object");
        }
        byte[] canonical;
        try {
            canonical = mapper.writeValueAsBytes(body);
        } catch (JacksonException e) {
            throw corrupt(file, "its body cannot be written back (" + shown(firstLine(e)) + ")");
        }
        JsonNode bodyLength = root.path("bodyLength");
        if (!bodyLength.isIntegralNumber() || !bodyLength.canConvertToLong() || bodyLength.longValue() != canonical.length
                || !root.path("crc32c").isTextual() || !crc(canonical).equals(root.path("crc32c").textValue())) {
            throw corrupt(file, "its checksum does not match its content (bodyLength " + shown(root.path("bodyLength"))
                    + " vs " + canonical.length + ", crc32c " + shown(root.path("crc32c")) + " vs \"" + crc(canonical)
                    + "\"): it was changed or damaged after it was written");
        }
        String job = body.path("job").isTextual() ? body.path("job").textValue() : "";
        if (!job.equals(jobId)) {
            throw new CheckpointException(file, Problem.WRONG_JOB, "the checkpoint belongs to job '" + shown(job)
                    + "', not to job '" + jobId + "'", "Give each job its own directory or id, or run job '" + shown(job)
                    + "' to finish it. " + START_OVER, null);
        }
        int foundVersion = intField(file, body, "stateVersion");
        if (foundVersion != stateVersion) {
            throw new CheckpointException(file, Problem.WRONG_STATE_VERSION, "the checkpoint's state is version "
                    + foundVersion + ", the job's state is version " + stateVersion, "Resume it with the code of "
                    + "state version " + foundVersion + ", or migrate the file. " + START_OVER, null);
        }
        long total = longField(file, body, "totalItems");
        if (total != totalItems) {
            throw new CheckpointException(file, Problem.WRONG_ITEM_COUNT, "the checkpoint was written for "
                    + total + " items, the job now has " + totalItems, "Resume it with the same items. "
                    + START_OVER, null);
        }
        long next = longField(file, body, "nextItem");
        long length = longField(file, body, "outputLength");
        if (next < 0 || next > total || length < 0) {
            throw corrupt(file, "its figures are out of range (nextItem " + next + ", totalItems " + total
                    + ", outputLength " + length + ")");
        }
        S state;
        try {
            state = mapper.treeToValue(body.path("state"), stateType);
        } catch (JacksonException | IllegalArgumentException e) {
            if (limit(e) != null) {
                throw tooLarge(file, "the checkpoint's state is over a limit of its JSON reader", maxBytes,
                        Objects.requireNonNull(limit(e)));
            }
            throw new CheckpointException(file, Problem.UNREADABLE_STATE, "the checkpoint's state cannot be read as "
                    + stateType.getName() + " (" + shown(firstLine(e)) + ")", "If the state's shape changed, raise "
                    + "JobOptions.stateVersion and migrate or discard old checkpoints. " + START_OVER, e);
        }
        if (state == null) {
            throw corrupt(file, "its state is missing");
        }
        return new Checkpoint<>(job, foundVersion, next, total, length, state);
    }

    /** A whole number that fits an int: 4294967297 is out of range, not 1. */
    private static int intField(Path file, JsonNode body, String name) throws CheckpointException {
        JsonNode n = body.path(name);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw corrupt(file, "its \"" + name + "\" is not a whole number from " + Integer.MIN_VALUE + " to "
                    + Integer.MAX_VALUE + " (" + shown(n) + ")");
        }
        return n.intValue();
    }

    private static long longField(Path file, JsonNode body, String name) throws CheckpointException {
        JsonNode n = body.path(name);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw corrupt(file, "its \"" + name + "\" is not a whole number (" + shown(n) + ")");
        }
        return n.longValue();
    }

    private static CheckpointException corrupt(Path file, String what) {
        return new CheckpointException(file, Problem.CORRUPT, "the checkpoint is damaged: " + what, START_OVER, null);
    }

    private static String crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
