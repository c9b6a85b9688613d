package org.cancelkit.grpc;

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
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.grpc} is exported, its public
 * classes are final (or records, enums, interfaces), and the package is {@code @NullMarked}.
 */
class ArchitectureTest {

    private static Path mainClasses() throws Exception {
        return Path.of(GrpcServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.grpc");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.grpc");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "io.grpc", "org.cancelkit.lifecycle");
    }

    @Test
    void publicTypesAreClosed() throws Exception {
        List<Class<?>> api = apiClasses();
        assertThat(api).extracting(Class::getSimpleName).containsExactlyInAnyOrder("GrpcServer", "GrpcServerOptions",
                "CancellationServerInterceptor", "CancellationClientInterceptor", "DrainReport", "CallOutcome", "Kind",
                "GrpcServerWorker");
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
        assertThat(GrpcServer.class.getPackage().isAnnotationPresent(org.jspecify.annotations.NullMarked.class)).isTrue();
    }

    @SuppressWarnings("unused")
    static class OpenForTheControl {}

    private static boolean closed(Class<?> c) {
        return c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers()) || c.isSealed();
    }

    private static List<Class<?>> apiClasses() throws Exception {
        Path dir = mainClasses().resolve("org/cancelkit/grpc");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (name.equals("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName("org.cancelkit.grpc." + name);
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }
}
