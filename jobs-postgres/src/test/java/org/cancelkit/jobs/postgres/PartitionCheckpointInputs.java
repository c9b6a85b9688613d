package org.cancelkit.jobs.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;

/**
 * Partition checkpoint rows as a damaged database or someone who can UPDATE the partitions table makes
 * them: random text, deep nesting, honest checkpoints, character mutations (caught by the checksum) and
 * field mutations sealed again (which reach the checks behind it), for partition {@code p} of
 * {@link #PARTITIONS} of a job of {@link #N} items.
 */
final class PartitionCheckpointInputs {
    static final String JOB = "fuzz-job";
    static final int N = 40;
    static final int PARTITIONS = 3;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> FIELDS = List.of("job", "partition", "partitions", "stateVersion",
            "totalItems", "firstItem", "endItem", "nextItem", "outputRows", "state", "extra");
    private static final List<String> ROOT_FIELDS = List.of("format", "formatVersion", "bodyLength", "crc32c",
            "body");
    private static final List<String> INSERTS = List.of("\"", "{", "}", "[", ",", "9e99999", "\\u0000", "null",
            "e99999602040802449019361", "1e-2147483649", "\u001b[2J", "\ud83d\ude00");

    private PartitionCheckpointInputs() {}

    /** The job's own view of partition {@code p} (as {@code ClusterJob.shape}): nothing done yet. */
    static PartitionCheckpoint<Tally> shape(int p) {
        long first = p * (long) N / PARTITIONS;
        return new PartitionCheckpoint<>(JOB, p, PARTITIONS, 1, N, first, (p + 1) * (long) N / PARTITIONS, first, 0,
                Tally.ZERO);
    }

    /** An honest checkpoint of partition {@code p}, some way in. */
    static PartitionCheckpoint<Tally> honest(Random r, int p) {
        PartitionCheckpoint<Tally> s = shape(p);
        long next = s.firstItem() + r.nextInt((int) (s.endItem() - s.firstItem()) + 1);
        long rows = r.nextInt((int) (next - s.firstItem()) + 1);
        return s.advance(next, rows, new Tally(next - s.firstItem(), r.nextLong()));
    }

    /** Any row text for the decoder, for partition {@code p}. */
    static String any(Random r, int p) throws IOException {
        String honest = PartitionCodec.encode(honest(r, p));
        return switch (r.nextInt(12)) {
            case 0 -> randomText(r, r.nextInt(300));
            case 1 -> nested(r);
            case 2 -> honest;
            case 3, 4 -> mutateText(r, honest);
            case 5 -> mutateRoot(r, honest);
            default -> PartitionCheckpoints.resealed(honest, body -> mutateBody(r, body));
        };
    }

    /** Random characters, as a text column holds them (any char but NUL, which PostgreSQL refuses). */
    static String randomText(Random r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(r.nextBoolean() ? (char) (1 + r.nextInt(127)) : (char) (1 + r.nextInt(0xFFFF)));
        }
        return b.toString();
    }

    /** Nesting past every parser's comfort: as the whole row, or as the state of a sealed-looking body. */
    private static String nested(Random r) {
        int depth = 500 + r.nextInt(20_000);
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String deep = open.repeat(depth) + "1" + close.repeat(r.nextInt(4) == 0 ? depth / 2 : depth);
        if (r.nextBoolean()) {
            return deep;
        }
        return "{\"format\":\"" + PartitionCodec.FORMAT + "\",\"formatVersion\":1,\"bodyLength\":1,\"crc32c\":\"0\","
                + "\"body\":{\"job\":\"" + JOB + "\",\"state\":" + deep + "}}";
    }

    /** A JSON value to put where a field was: the wrong type, out of range, huge, or plausible. */
    static JsonNode value(Random r) {
        return switch (r.nextInt(20)) {
            case 0 -> F.numberNode(4_294_967_297L);
            case 1 -> F.numberNode(new BigInteger("9223372036854775808"));
            case 2 -> F.numberNode(-1);
            case 3 -> F.numberNode(new BigDecimal("1e400"));
            case 4 -> F.numberNode(1.5);
            case 5 -> F.textNode("1");
            case 6 -> F.nullNode();
            case 7 -> F.booleanNode(true);
            case 8 -> F.arrayNode();
            case 9 -> F.objectNode();
            case 10 -> F.textNode("x".repeat(r.nextInt(5_000)) + "\u0000\u202e\u001b[2J");
            case 11 -> F.numberNode(new BigInteger("9".repeat(900 + r.nextInt(200))));
            case 12 -> F.numberNode(r.nextInt(N + 2));
            case 13 -> F.numberNode(r.nextInt(PARTITIONS + 2));
            case 14 -> F.textNode(JOB);
            case 15 -> F.numberNode(new BigDecimal("1e999999999"));
            case 16 -> F.numberNode(Integer.MIN_VALUE);
            case 17 -> {
                ObjectNode o = F.objectNode();
                o.put("count", r.nextLong());
                o.put("sum", r.nextLong());
                yield o;
            }
            default -> F.numberNode(r.nextLong());
        };
    }

    private static void mutateBody(Random r, ObjectNode body) {
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            String field = FIELDS.get(r.nextInt(FIELDS.size()));
            if (r.nextInt(5) == 0) {
                body.remove(field);
            } else if (field.equals("state") && r.nextBoolean()) {
                ObjectNode state = body.get("state") instanceof ObjectNode s ? s : body.putObject("state");
                state.set(r.nextBoolean() ? "count" : "sum", value(r));
            } else {
                body.set(field, value(r));
            }
        }
    }

    /** Changes a field of the envelope, without sealing again. */
    private static String mutateRoot(Random r, String honest) throws IOException {
        ObjectNode root = (ObjectNode) PartitionCheckpoints.MAPPER.readTree(honest);
        String field = ROOT_FIELDS.get(r.nextInt(ROOT_FIELDS.size()));
        if (r.nextInt(4) == 0) {
            root.remove(field);
        } else {
            root.set(field, value(r));
        }
        return PartitionCheckpoints.MAPPER.writeValueAsString(root);
    }

    /** Flips, deletes or inserts characters. */
    static String mutateText(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        for (int n = 1 + r.nextInt(4); n > 0 && !b.isEmpty(); n--) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(3)) {
                case 0 -> b.setCharAt(at, (char) Math.max(1, b.charAt(at) ^ (1 << r.nextInt(8))));
                case 1 -> b.delete(at, Math.min(b.length(), at + r.nextInt(17)));
                default -> b.insert(at, INSERTS.get(r.nextInt(INSERTS.size())));
            }
        }
        return b.toString();
    }
}
