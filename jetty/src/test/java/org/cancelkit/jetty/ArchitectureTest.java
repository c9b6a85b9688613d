package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.jetty} is exported, its public
 * classes are final (or records, enums, interfaces), the package is {@code @NullMarked}, and it builds on
 * the client's module for the deadline header (no split package: the server's classes are all here).
 */
class ArchitectureTest {

    private static Path mainClasses() throws Exception {
        return Path.of(DeadlineHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.jetty");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.jetty");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "org.cancelkit.http", "org.eclipse.jetty.server");
    }

    @Test
    void publicTypesAreClosed() throws Exception {
        List<Class<?>> api = apiClasses();
        assertThat(api).extracting(Class::getSimpleName).contains("DeadlineHandler", "HandlerOptions")
                .doesNotContain("DeadlineClient", "DeadlineHeader", "FanOut");
        for (Class<?> c : api) {
            assertThat(closed(c)).as(c + " is final, sealed, a record, an enum or an interface").isTrue();
        }
    }

    /** Negative control: the check does see an open class. */
    @Test
    void negativeControl_theCheckSeesAnOpenClass() {
        assertThat(closed(OpenForTheControl.class)).isFalse();
    }

    @Test
    void thePackageIsNullMarked() {
        assertThat(DeadlineHandler.class.getPackage().isAnnotationPresent(org.jspecify.annotations.NullMarked.class)).isTrue();
    }

    @SuppressWarnings("unused")
    static class OpenForTheControl {}

    private static boolean closed(Class<?> c) {
        return c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers()) || c.isSealed();
    }

    private static List<Class<?>> apiClasses() throws Exception {
        Path dir = mainClasses().resolve("org/cancelkit/jetty");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (name.equals("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName("org.cancelkit.jetty." + name);
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }
}
