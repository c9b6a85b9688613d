package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kit exports its API package only, and no public signature mentions an internal type (the core
 * exports its internals to this module alone; users must never need them).
 */
class ModuleBoundaryTest {

    @Test
    void theModuleExportsOnlyItsApiPackage() {
        Module module = CancelkitTest.class.getModule();
        assertThat(module.isNamed()).as("the tests run on the module path").isTrue();
        ModuleDescriptor d = module.getDescriptor();
        assertThat(d.name()).isEqualTo("org.cancelkit.testkit");
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("org.cancelkit.testkit");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "org.junit.jupiter.api", "jdk.management");
        // The core's internals are readable here, because the core exports them to this module by name.
        assertThat(org.cancelkit.MonotonicClock.class.getModule().isExported("org.cancelkit.internal", module)).isTrue();
    }

    @Test
    void publicTypesAreClosedAndTheirSignaturesMentionNoInternalType() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Class<?> c : apiClasses()) {
            int m = c.getModifiers();
            boolean closed = c.isInterface() || c.isRecord() || c.isEnum() || c.isAnnotation() || Modifier.isFinal(m)
                    || c.isSealed();
            if (Modifier.isPublic(m) && !closed) {
                problems.add(c.getName() + " is public but neither final nor sealed");
            }
            if (!Modifier.isPublic(m)) {
                continue;
            }
            List<Type> types = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers())) {
                    types.add(f.getGenericType());
                }
            }
            List<Executable> members = new ArrayList<>(Arrays.asList(c.getDeclaredMethods()));
            members.addAll(Arrays.asList(c.getDeclaredConstructors()));
            for (Executable e : members) {
                if (Modifier.isPublic(e.getModifiers()) || Modifier.isProtected(e.getModifiers())) {
                    types.addAll(Arrays.asList(e.getGenericParameterTypes()));
                    types.addAll(Arrays.asList(e.getGenericExceptionTypes()));
                    if (e instanceof java.lang.reflect.Method method) {
                        types.add(method.getGenericReturnType());
                    }
                }
            }
            for (Type t : types) {
                if (t.getTypeName().contains(".internal.")) {
                    problems.add(c.getName() + " mentions " + t.getTypeName());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theApiClassListIsNotEmpty() throws IOException {
        // Negative control for the test above: it looked at the real classes.
        assertThat(apiClasses()).extracting(Class::getSimpleName)
                .contains("CancellationExplorer", "CancelkitExtension", "Leaks", "Steps");
    }

    private static List<Class<?>> apiClasses() throws IOException {
        Path dir = Path.of("target/classes/org/cancelkit/testkit");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".class") && !name.equals("package-info.class")) {
                    try {
                        classes.add(Class.forName("org.cancelkit.testkit." + name.substring(0, name.length() - 6)));
                    } catch (ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return classes;
    }
}
