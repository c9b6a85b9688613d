package org.cancelkit.http;

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
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.http} is exported, its public
 * classes are final (or records, enums, interfaces), the package is {@code @NullMarked}, and the client
 * needs no server: no Jetty module is required (the server side is module {@code org.cancelkit.jetty}).
 */
class ArchitectureTest {

    private static Path mainClasses() throws Exception {
        return Path.of(DeadlineClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.http");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.http");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "java.net.http", "io.github.resilience4j.circuitbreaker")
                .noneMatch(ArchitectureTest::isJetty);
    }

    /** The client's module and class path hold no Jetty at all: a client-only user gets no server. */
    @Test
    void noJettyOnTheClientsPath() {
        assertThat(ModuleLayer.boot().modules()).extracting(Module::getName).noneMatch(ArchitectureTest::isJetty);
        assertThat(ClassLoader.getSystemClassLoader().getResource("org/eclipse/jetty/server/Server.class"))
                .as("jetty-server on the test class path of the client module").isNull();
        // Control: the check finds a class that is there.
        assertThat(ClassLoader.getSystemClassLoader().getResource("io/github/resilience4j/circuitbreaker/CircuitBreaker.class"))
                .isNotNull();
    }

    private static boolean isJetty(String module) {
        return module.startsWith("org.eclipse.jetty");
    }

    @Test
    void publicTypesAreClosed() throws Exception {
        List<Class<?>> api = apiClasses();
        assertThat(api).extracting(Class::getSimpleName).contains("DeadlineClient", "ClientOptions", "FanOut",
                "DeadlineHeader", "BreakerClocks", "ServerErrorException");
        assertThat(api).extracting(Class::getSimpleName).doesNotContain("DeadlineHandler", "HandlerOptions");
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
        assertThat(DeadlineClient.class.getPackage().isAnnotationPresent(org.jspecify.annotations.NullMarked.class)).isTrue();
    }

    @SuppressWarnings("unused")
    static class OpenForTheControl {}

    private static boolean closed(Class<?> c) {
        return c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers()) || c.isSealed();
    }

    private static List<Class<?>> apiClasses() throws Exception {
        Path dir = mainClasses().resolve("org/cancelkit/http");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (name.equals("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName("org.cancelkit.http." + name);
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }
}
