package org.cancelkit.jobs.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Partition checkpoint text as someone who can UPDATE the partitions table makes it: change the body,
 * then seal it again (length and CRC32C of its canonical form), as anyone can, so the change passes the
 * checksum and reaches the checks behind it.
 */
final class PartitionCheckpoints {
    /** Reads what the tests write: numbers, depth and strings past the limits of the decoder's reader. */
    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(100_000)
                            .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(100_000).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private PartitionCheckpoints() {}

    /** Applies {@code change} to the body of {@code checkpoint}, and seals the result again. */
    static String resealed(String checkpoint, Consumer<ObjectNode> change) throws IOException {
        ObjectNode root = (ObjectNode) MAPPER.readTree(checkpoint);
        change.accept((ObjectNode) root.get("body"));
        return seal(root);
    }

    /** Sets {@code bodyLength} and {@code crc32c} of {@code root} to match its body. */
    static String seal(ObjectNode root) throws IOException {
        JsonNode body = root.get("body");
        byte[] canonical = MAPPER.writeValueAsBytes(MAPPER.readTree(MAPPER.writeValueAsBytes(body)));
        CRC32C crc = new CRC32C();
        crc.update(canonical);
        root.put("bodyLength", canonical.length);
        root.put("crc32c", HexFormat.of().toHexDigits((int) crc.getValue()));
        return MAPPER.writeValueAsString(root);
    }
}
