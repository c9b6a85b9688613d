package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata IDEs complete from ({@code META-INF/spring-configuration-metadata.json},
 * generated from {@link CancelkitProperties}) and the README's property table say the same: the same
 * keys, each with a description, and the same defaults. A key added to one and not the other fails.
 */
class PropertiesMetadataTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(cancelkit\\.[a-z.-]+)` \\| `([^`]*)` \\|");

    @Test
    void everyKeyHasADescriptionAndTheReadmeTableMatchesTheMetadata() throws Exception {
        Map<String, String> metadata = new TreeMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the configuration processor generated the metadata").isNotNull();
            JsonNode root = JsonMapper.builder().build().readTree(in);
            for (JsonNode p : root.get("properties")) {
                String name = p.get("name").asString();
                if (!name.startsWith("cancelkit.")) {
                    continue; // Actuator's own keys for the endpoint
                }
                assertThat(p.path("description").asString("")).as("the description of " + name).isNotBlank();
                metadata.put(name, p.path("defaultValue").asString(""));
            }
        }
        Map<String, String> readme = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                readme.put(m.group(1), m.group(2));
            }
        }
        assertThat(metadata).as("keys in the metadata").hasSizeGreaterThanOrEqualTo(10);
        assertThat(readme).as("README.md's property table, key → default").isEqualTo(metadata);
    }
}
