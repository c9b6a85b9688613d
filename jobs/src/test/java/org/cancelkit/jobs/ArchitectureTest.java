package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cancelkit.jobs.internal.JobRunner;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.jobs} is exported; its public
 * types are final, records, enums or interfaces; no public signature mentions an internal type (nor a
 * Jackson type: Jackson is an implementation detail); every package is {@code @NullMarked}.
 */
class ArchitectureTest {

    private static Path mainClasses() throws Exception {
        return Path.of(Job.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.jobs");
        assertThat(d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source))
                .containsExactly("org.cancelkit.jobs");
        // the one qualified export, on purpose: the checkpoint codecs' shared JSON, for the database store only
        assertThat(d.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .map(e -> e.source() + " to " + e.targets()))
                .containsExactly("org.cancelkit.jobs.internal to [org.cancelkit.jobs.postgres]");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "org.cancelkit.io", "com.fasterxml.jackson.databind");
    }

    @Test
    void publicTypesAreClosed_andNoSignatureLeaksInternalsOrJackson() throws Exception {
        List<Class<?>> api = new ArrayList<>();
        try (Stream<Path> files = Files.list(mainClasses().resolve("org/cancelkit/jobs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (!name.equals("package-info")) {
                    Class<?> c = Class.forName("org.cancelkit.jobs." + name); // nested ones keep their '$'
                    if (Modifier.isPublic(c.getModifiers())) {
                        api.add(c);
                    }
                }
            }
        }
        assertThat(api).extracting(Class::getSimpleName).contains("Job", "JobOptions", "JobResult", "Checkpoint",
                "CheckpointException", "ItemProcessor", "ItemOutput", "ItemFailedException", "Progress",
                "ProgressListener", "ProgressBar");
        for (Class<?> c : api) {
            boolean closed = c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers());
            assertThat(closed).as(c + " is final, a record, an enum or an interface").isTrue();
            assertThat(leaks(c)).as(c + " exposes internals or Jackson").isEmpty();
        }
    }

    /** Negative control: the check does see an internal type in a signature. */
    @Test
    void negativeControl_theCheckSeesALeak() {
        assertThat(leaks(JobRunner.class)).isEmpty(); // its signatures use API types only...
        assertThat(leaks(Leaky.class)).isNotEmpty(); // ...and a signature with an internal type is seen
    }

    /** A class with an internal type in a public signature, for the negative control. */
    static final class Leaky {
        public JobRunner<?, ?> runner() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void everyPackageIsNullMarked() {
        for (Package p : List.of(Job.class.getPackage(), JobRunner.class.getPackage())) {
            assertThat(p.isAnnotationPresent(org.jspecify.annotations.NullMarked.class)).as(p.getName()).isTrue();
        }
    }

    private static List<String> leaks(Class<?> c) {
        List<String> types = new ArrayList<>();
        List<Member> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
        members.addAll(List.of(c.getDeclaredFields()));
        members.addAll(List.of(c.getDeclaredConstructors()));
        for (Member m : members) {
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
        return types.stream().filter(t -> t.contains(".internal.") || t.contains("com.fasterxml")).toList();
    }
}
