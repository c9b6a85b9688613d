package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cancelkit.jdbc.internal.Sql;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary (STYLE.md, "Shape"): only {@code org.cancelkit.jdbc} is exported, public types
 * are closed (final, record, enum or interface), no public signature names an internal type, and every
 * package is {@code @NullMarked}.
 */
class ArchitectureTest {

    private static Path classes() throws Exception {
        return Path.of(SqlTransaction.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheApiPackageIsExported() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("org.cancelkit.jdbc");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.cancelkit.jdbc");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.cancelkit", "java.sql").doesNotContain("org.postgresql.jdbc");
    }

    @Test
    void publicTypesAreClosed_andNoSignatureNamesAnInternalType() throws Exception {
        List<Class<?>> api = new ArrayList<>();
        try (Stream<Path> files = Files.list(classes().resolve("org/cancelkit/jdbc"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (!name.equals("package-info")) {
                    Class<?> c = Class.forName("org.cancelkit.jdbc." + name);
                    if (Modifier.isPublic(c.getModifiers())) {
                        api.add(c);
                    }
                }
            }
        }
        assertThat(api).extracting(Class::getSimpleName).contains("SqlTransaction", "Statements", "JdbcOptions",
                "CommitOutcomeUnknownException", "SqlCall", "TransactionBody", "RowMapper");
        for (Class<?> c : api) {
            assertThat(c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isFinal(c.getModifiers()))
                    .as(c + " is closed").isTrue();
            assertThat(internalTypesIn(c)).as(c + " exposes internals").isEmpty();
        }
    }

    /** A class the check must flag: its public method takes an internal type. */
    static final class Leaky {
        public void take(Sql sql) {
            assertThat(sql).isNotNull();
        }
    }

    @Test
    void negativeControl_theCheckSeesALeak() {
        assertThat(internalTypesIn(Leaky.class)).isNotEmpty();
    }

    @Test
    void everyPackageIsNullMarked() {
        assertThat(SqlTransaction.class.getPackage().isAnnotationPresent(NullMarked.class)).isTrue();
        assertThat(Sql.class.getPackage().isAnnotationPresent(NullMarked.class)).isTrue();
    }

    private static List<String> internalTypesIn(Class<?> c) {
        List<Type> types = new ArrayList<>();
        List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
        members.addAll(List.of(c.getDeclaredConstructors()));
        for (Executable e : members) {
            if (Modifier.isPublic(e.getModifiers()) || Modifier.isProtected(e.getModifiers())) {
                types.addAll(List.of(e.getGenericParameterTypes()));
                types.addAll(List.of(e.getGenericExceptionTypes()));
                if (e instanceof Method m) {
                    types.add(m.getGenericReturnType());
                }
            }
        }
        for (Field f : c.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers()) || Modifier.isProtected(f.getModifiers())) {
                types.add(f.getGenericType());
            }
        }
        return types.stream().map(Type::getTypeName).filter(n -> n.contains(".internal.")).toList();
    }
}
