package org.cancelkit.jobs.postgres;

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
import org.cancelkit.jobs.postgres.internal.PartitionRunner;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.jobs.postgres} is exported; its public
 * types are final, records, enums or interfaces; no public signature mentions an internal type (nor a pgjdbc or a
 * Jackson type: Jackson is an implementation detail); every package is {@code @NullMarked}.
 */
class ArchitectureTest {

    private static Path mainClasses() throws Exception {
        return Path.of(ClusterJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(mainClasses().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.jobs.postgres");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.jobs.postgres");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "org.cancelkit.jobs", "org.cancelkit.jdbc", "org.postgresql.jdbc");
    }

    @Test
    void publicTypesAreClosed_andNoSignatureLeaksInternalsOrJackson() throws Exception {
        List<Class<?>> api = new ArrayList<>();
        try (Stream<Path> files = Files.list(mainClasses().resolve("org/cancelkit/jobs/postgres"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (!name.equals("package-info")) {
                    Class<?> c = Class.forName("org.cancelkit.jobs.postgres." + name); // nested ones keep their '$'
                    if (Modifier.isPublic(c.getModifiers())) {
                        api.add(c);
                    }
                }
            }
        }
        assertThat(api).extracting(Class::getSimpleName).contains("ClusterJob", "ClusterOptions", "ClusterStatus",
                "ClusterItemProcessor", "JobDatabase", "LeaseLostException", "PartitionCheckpointException",
                "UrlDataSource", "WorkerReport");
        for (Class<?> c : api) {
            boolean closed = c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers());
            assertThat(closed).as(c + " is final, a record, an enum or an interface").isTrue();
            assertThat(leaks(c)).as(c + " exposes internals, Jackson or pgjdbc").isEmpty();
        }
    }

    /** Negative control: the check does see an internal type in a signature. */
    @Test
    void negativeControl_theCheckSeesALeak() {
        assertThat(leaks(ClusterJob.class)).isEmpty(); // the API uses API types only...
        assertThat(leaks(Leaky.class)).isNotEmpty(); // ...and a signature with an internal type is seen
    }

    /** A class with an internal type in a public signature, for the negative control. */
    static final class Leaky {
        public PartitionRunner<?, ?> runner() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void everyPackageIsNullMarked() {
        for (Package p : List.of(ClusterJob.class.getPackage(), PartitionRunner.class.getPackage())) {
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
        return types.stream().filter(t -> t.contains(".internal.") || t.contains("com.fasterxml") || t.contains("org.postgresql")).toList();
    }
}
