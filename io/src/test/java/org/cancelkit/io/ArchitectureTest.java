package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cancelkit.io.internal.Replacement;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.io} is exported; its public
 * classes are final (or records, enums, interfaces); no public or protected signature mentions an
 * internal type; every package is {@code @NullMarked}.
 */
class ArchitectureTest {

    private static Path mainClasses() throws URISyntaxException {
        return Path.of(AtomicFileWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.io");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.io");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name).contains("org.cancelkit", "org.jspecify");
    }

    @Test
    void publicTypesAreFinal_andNoPublicSignatureMentionsAnInternalType() throws Exception {
        List<Class<?>> api = apiClasses();
        assertThat(api).extracting(Class::getSimpleName).contains("AtomicFileWriter", "AtomicFiles",
                "FileTransaction", "FileOptions", "CommitStep", "RecoveryReport", "IncompleteCommitException",
                "FileContent");
        for (Class<?> c : api) {
            boolean closed = c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers())
                    || c.isSealed();
            assertThat(closed).as(c + " is final, sealed, a record, an enum or an interface").isTrue();
            assertThat(leaks(c)).as(c + " exposes internals").isEmpty();
        }
    }

    /** Negative control: the check does see an internal type in a signature. */
    @Test
    void negativeControl_theCheckSeesALeak() {
        assertThat(leaks(Replacement.class)).isNotEmpty(); // its public methods take FileOps
    }

    @Test
    void everyPackageIsNullMarked() {
        for (Package p : List.of(AtomicFileWriter.class.getPackage(), Replacement.class.getPackage())) {
            assertThat(p.isAnnotationPresent(org.jspecify.annotations.NullMarked.class)).as(p.getName()).isTrue();
        }
    }

    private static List<Class<?>> apiClasses() throws Exception {
        Path dir = mainClasses().resolve("org/cancelkit/io");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (name.equals("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName("org.cancelkit.io." + name.replace('/', '.'));
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }

    private static Set<String> leaks(Class<?> c) {
        List<String> types = new ArrayList<>();
        for (Member m : members(c)) {
            if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isProtected(m.getModifiers())) {
                continue;
            }
            if (m instanceof Executable e) {
                for (Type t : e.getGenericParameterTypes()) {
                    types.add(t.getTypeName());
                }
                for (Type t : e.getGenericExceptionTypes()) {
                    types.add(t.getTypeName());
                }
                if (e instanceof Method method) {
                    types.add(method.getGenericReturnType().getTypeName());
                }
            } else if (m instanceof Field f) {
                types.add(f.getGenericType().getTypeName());
            }
        }
        if (c.getSuperclass() != null) {
            types.add(c.getGenericSuperclass().getTypeName());
        }
        for (Type t : c.getGenericInterfaces()) {
            types.add(t.getTypeName());
        }
        return types.stream().filter(t -> t.contains(".internal.")).collect(Collectors.toSet());
    }

    private static List<Member> members(Class<?> c) {
        List<Member> all = new ArrayList<>();
        all.addAll(List.of(c.getDeclaredMethods()));
        all.addAll(List.of(c.getDeclaredFields()));
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            all.add(k);
        }
        return all;
    }
}
