package org.cancelkit.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.jobs.internal.CheckpointCodec;

/**
 * Checkpoints as a damaged disk or someone who can write the job's directory makes them: random bytes,
 * deep nesting, honest checkpoints, byte mutations (caught by the checksum) and field mutations sealed
 * again (which reach the checks behind it).
 */
final class CheckpointInputs {
    static final String JOB = "test-job";
    static final int N = 40;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> FIELDS = List.of("job", "stateVersion", "nextItem", "totalItems",
            "outputLength", "state", "extra");
    private static final List<String> ROOT_FIELDS = List.of("format", "formatVersion", "bodyLength", "crc32c",
            "body");

    private CheckpointInputs() {}

    /** An honest checkpoint of the test job. */
    static byte[] honest(Random r) throws IOException {
        long next = r.nextInt(N + 1);
        return CheckpointCodec.encode(new Checkpoint<>(JOB, 1, next, N, r.nextInt(10_000),
                new Tally(next, r.nextLong())));
    }

    /** Any input for the decoder. */
    static byte[] any(Random r) throws IOException {
        return switch (r.nextInt(12)) {
            case 0 -> randomBytes(r, r.nextInt(300));
            case 1 -> nested(r);
            case 2 -> honest(r);
            case 3, 4 -> mutateBytes(r, honest(r));
            case 5 -> mutateRoot(r, honest(r));
            default -> Checkpoints.resealed(honest(r), body -> mutateBody(r, body));
        };
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Nesting past every parser's comfort: as the whole file, or as the state of a sealed-looking body. */
    private static byte[] nested(Random r) {
        int depth = 500 + r.nextInt(20_000);
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String deep = open.repeat(depth) + "1" + close.repeat(r.nextInt(4) == 0 ? depth / 2 : depth);
        if (r.nextBoolean()) {
            return deep.getBytes(UTF_8);
        }
        return ("{\"format\":\"cancelkit-job-checkpoint\",\"formatVersion\":1,\"bodyLength\":1,\"crc32c\":\"0\","
                + "\"body\":{\"job\":\"test-job\",\"state\":" + deep + "}}").getBytes(UTF_8);
    }

    /** A JSON value to put where a field was: the wrong type, out of range, huge, deep, or plausible. */
    static JsonNode value(Random r) {
        return switch (r.nextInt(18)) {
            case 16 -> F.numberNode(new BigDecimal("1e999999999"));
            case 17 -> F.numberNode(new BigDecimal("-1e-999999999"));
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
            case 10 -> F.textNode("x".repeat(r.nextInt(5_000)) + "\u0000\u202e");
            case 11 -> F.numberNode(new BigInteger("9".repeat(900 + r.nextInt(200))));
            case 12 -> F.numberNode(r.nextInt(N + 2));
            case 13 -> F.textNode(JOB);
            case 14 -> {
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
    private static byte[] mutateRoot(Random r, byte[] honest) throws IOException {
        ObjectNode root = (ObjectNode) Checkpoints.MAPPER.readTree(honest);
        String field = ROOT_FIELDS.get(r.nextInt(ROOT_FIELDS.size()));
        if (r.nextInt(4) == 0) {
            root.remove(field);
        } else {
            root.set(field, value(r));
        }
        return Checkpoints.MAPPER.writeValueAsBytes(root);
    }

    static byte[] mutateBytes(Random r, byte[] b) {
        byte[] c = b;
        for (int n = 1 + r.nextInt(4); n > 0 && c.length > 0; n--) {
            int at = r.nextInt(c.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (r.nextInt(3)) {
                case 0 -> {
                    c = c.clone();
                    c[at] ^= (byte) (1 << r.nextInt(8));
                    continue;
                }
                case 1 -> {
                    int len = r.nextInt(Math.min(16, c.length - at) + 1);
                    out.write(c, 0, at);
                    out.write(c, at + len, c.length - at - len);
                }
                default -> {
                    out.write(c, 0, at);
                    out.writeBytes(List.of("\"", "{", "}", "[", ",", "9e99999", "\\u0000", "null",
                            "e99999602040802449019361", "1e-2147483649").get(r.nextInt(10)).getBytes(UTF_8));
                    out.write(c, at, c.length - at);
                }
            }
            c = out.toByteArray();
        }
        return c;
    }
}
