package org.cancelkit.jobs.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What every checkpoint codec shares, the file store's ({@link CheckpointCodec}) and the database
 * store's (jobs-postgres): the JSON mapper for a size limit, the recognition of a reader limit, and how
 * stored text is quoted in a message. Not API: exported to jobs-postgres only.
 *
 * <p>Thread-safe.
 */
public final class CheckpointJson {
    // Decimal numbers are read as BigDecimal, trailing zeros kept: read as double, a BigDecimal state
    // (money) would lose digits or scale at every checkpoint, checksum and all, and a resumed run would
    // differ from an uninterrupted one (J1).
    // Read limits: the document, strings and names up to the job's maxCheckpointBytes; numbers and
    // nesting at Jackson's defaults (1000 digits, 1000 levels), which bound the time and stack one
    // checkpoint can cost. One mapper per size limit, built once.
    private static final Map<Integer, JsonMapper> MAPPERS = new ConcurrentHashMap<>();

    private CheckpointJson() {}

    /**
     * The mapper for checkpoints of at most {@code maxBytes} bytes.
     *
     * @param maxBytes the job's {@code JobOptions.maxCheckpointBytes()}
     * @return the mapper, shared by every caller with that limit
     */
    public static JsonMapper mapper(int maxBytes) {
        return MAPPERS.computeIfAbsent(maxBytes, max -> JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(max)
                                .maxStringLength(max).maxNameLength(max).build())
                        .build())
                .disable(MapperFeature.CAN_OVERRIDE_ACCESS_MODIFIERS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build());
    }

    /**
     * The constraint exception behind {@code t}, if a limit is what failed.
     *
     * @param t what reading or writing threw
     * @return the reader's limit exception in {@code t}'s causes, or null
     */
    public static @Nullable StreamConstraintsException limit(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StreamConstraintsException s) {
                return s;
            }
        }
        return null;
    }

    /**
     * What the limits are and how to live with them, for a {@code TOO_LARGE} message.
     *
     * @param maxBytes the size limit in force
     * @param raise how to raise it, e.g. {@code "JobOptions.withMaxCheckpointBytes raises it"}
     * @param elsewhere where large data belongs instead, e.g. {@code "files of your own"}
     * @return the advice
     */
    public static String limitsAdvice(int maxBytes, String raise, String elsewhere) {
        return "The limits: " + maxBytes + " bytes for the checkpoint and for any string or field name in its "
                + "state (" + raise + "), " + StreamReadConstraints.DEFAULT_MAX_NUM_LEN + " digits for a number and "
                + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels of nesting (fixed: they bound the time and stack "
                + "a checkpoint can cost; keep such values as strings, or flatten the state). Keep large data in the "
                + "output or in " + elsewhere + ", and only references to it in the state";
    }

    /**
     * Stored text as a message quotes it: control and format characters as {@code ?}, at most 200 code
     * points.
     *
     * @param value the value read
     * @return its text, safe to print
     */
    public static String shown(Object value) {
        String s = String.valueOf(value).codePoints().limit(201)
                .map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return s.codePointCount(0, s.length()) > 200 ? s.substring(0, s.offsetByCodePoints(0, 200)) + "…" : s;
    }

    /**
     * The first line of {@code e}'s message (a reader's message goes on with the input's location).
     *
     * @param e the exception
     * @return its message up to the first line break
     */
    public static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
