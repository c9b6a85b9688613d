package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rules of the public API: every public class is final or sealed (or an interface, enum, record). */
class PublicApiTest {
    @Test
    void everyPublicClassIsFinalOrSealed() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(CancelkitAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> open = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.endsWith("module-info") || name.endsWith("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                if (!Modifier.isPublic(c.getModifiers()) || c.isInterface() || c.isEnum() || c.isRecord()) {
                    continue;
                }
                checked++;
                if (!Modifier.isFinal(c.getModifiers()) && !c.isSealed()) {
                    open.add(name);
                }
            }
        }
        assertThat(checked).as("the check saw the module's classes").isPositive();
        assertThat(open).as("public classes that are neither final nor sealed").isEmpty();
    }
}
