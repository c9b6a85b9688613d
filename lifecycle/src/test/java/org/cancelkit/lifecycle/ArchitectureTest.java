package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cancelkit.lifecycle.internal.Shutdown;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.lifecycle} is exported; its
 * public types are final, sealed, records, enums or interfaces; no public signature mentions an
 * internal type; every package is {@code @NullMarked}.
 */
class ArchitectureTest {
    private static Path mainClasses() throws Exception {
        return Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.lifecycle");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.lifecycle");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "jdk.unsupported", "org.jspecify");
    }

    @Test
    void publicTypesAreClosed_andNoPublicSignatureMentionsAnInternalType() throws Exception {
        List<Class<?>> api = new ArrayList<>();
        try (Stream<Path> files = Files.list(mainClasses().resolve("org/cancelkit/lifecycle"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName("org.cancelkit.lifecycle." + name);
                if (!name.equals("package-info") && Modifier.isPublic(c.getModifiers())) {
                    api.add(c);
                }
            }
        }
        assertThat(api).extracting(Class::getSimpleName).contains("Application", "Worker", "WorkerGroup",
                "WorkerBody", "Component", "ShutdownReport", "WorkerReport", "WorkerOutcome", "FailurePolicy");
        for (Class<?> c : api) {
            boolean closed = c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers())
                    || c.isSealed();
            assertThat(closed).as(c + " is final, sealed, a record, an enum or an interface").isTrue();
            assertThat(internalTypesIn(c)).as(c + " exposes internals").isEmpty();
        }
    }

    /** Negative control: the check does see an internal type in a signature. */
    @Test
    void negativeControl_theCheckSeesALeak() {
        assertThat(internalTypesIn(Shutdown.class)).isNotEmpty(); // its constructor takes the internal Tree
    }

    @Test
    void everyPackageIsNullMarked() {
        for (Package p : List.of(Application.class.getPackage(), Shutdown.class.getPackage())) {
            assertThat(p.isAnnotationPresent(org.jspecify.annotations.NullMarked.class)).as(p.getName()).isTrue();
        }
    }

    private static Set<String> internalTypesIn(Class<?> c) {
        List<String> types = new ArrayList<>();
        List<Member> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
        members.addAll(List.of(c.getDeclaredConstructors()));
        members.addAll(List.of(c.getDeclaredFields()));
        for (Member m : members) {
            if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isProtected(m.getModifiers())) {
                continue;
            }
            if (m instanceof Executable e) {
                for (Type t : e.getGenericParameterTypes()) {
                    types.add(t.getTypeName());
                }
                if (e instanceof Method method) {
                    types.add(method.getGenericReturnType().getTypeName());
                }
            } else if (m instanceof java.lang.reflect.Field f) {
                types.add(f.getGenericType().getTypeName());
            }
        }
        return types.stream().filter(t -> t.contains(".internal.")).collect(Collectors.toSet());
    }
}
