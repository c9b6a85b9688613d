package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cancelkit.archfixtures.BadApi;
import org.cancelkit.internal.Timer;
import org.cancelkit.internal.TimerEntry;
import org.cancelkit.spi.ClockService;
import org.cancelkit.spi.TimerTask;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jspecify.annotations.Nullable;

/**
 * The module's shape, by reflection over its exported packages (in the spirit of Trio's
 * {@code test_exports.py}): every public type is final, sealed, an interface, an enum or a record (one
 * exception, open to clock services alone: {@link MonotonicClock}); no public or protected signature
 * mentions a type of {@code org.cancelkit.internal}; no exported type carries the controls of a test
 * clock, which live in the testing kit; the module exports only {@code org.cancelkit} and
 * {@code org.cancelkit.spi} (plus one qualified export to the testing kit, listed here on purpose) and
 * needs nothing outside the JDK. Each checker also runs on deliberately bad fixtures, so it is known
 * to report what it looks for (fixtures in {@link org.cancelkit.archfixtures.BadApi}).
 */
class ArchitectureTest {
    static final String API = "org.cancelkit";
    static final String SPI = "org.cancelkit.spi";
    static final String INTERNAL = "org.cancelkit.internal";

    // ------------------------------------------------------------------ finding the classes

    /** The core's jar, opened once: the reactor hands this module the packaged core. */
    private static @Nullable FileSystem coreJar;

    /**
     * The root of the core's main classes, a directory or the inside of its jar: never the test
     * classes, which are another module's.
     */
    static synchronized Path mainClassesRoot() throws URISyntaxException, IOException {
        Path location = Path.of(CancellationToken.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(location)) {
            return location;
        }
        if (coreJar == null) {
            coreJar = FileSystems.newFileSystem(location); // kept open for the life of the test JVM
        }
        return coreJar.getPath("/");
    }

    /** Every class of {@code pkg} in the core's main classes, nested ones included, anonymous ones not. */
    static List<Class<?>> classesOf(String pkg) throws Exception {
        Path root = mainClassesRoot();
        assertThat(Files.isDirectory(root)).as("the core's main classes are found: " + root).isTrue();
        Path dir = root.resolve(pkg.replace('.', '/'));
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String simple = f.getFileName().toString().replace(".class", "").replace("/", "");
                if (simple.equals("package-info") || simple.equals("module-info")) {
                    continue;
                }
                Class<?> c = Class.forName(pkg + "." + simple, false, CancellationToken.class.getClassLoader());
                if (!c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic()) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Public, and every enclosing class public too: part of the API. */
    static boolean isApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ checker 1: closed hierarchy

    /**
     * The one public class that is open, and only to clock services: every constructor a subclass can
     * call is protected and takes a {@link ClockService}.
     */
    static final Set<String> OPEN_TO_CLOCK_SERVICES = Set.of("org.cancelkit.MonotonicClock");

    static boolean openToClockServicesOnly(Class<?> c) {
        if (!OPEN_TO_CLOCK_SERVICES.contains(c.getName())) {
            return false;
        }
        boolean any = false;
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            int m = k.getModifiers();
            if (Modifier.isPublic(m)) {
                return false;
            }
            if (Modifier.isProtected(m)) {
                if (!List.of(k.getParameterTypes()).contains(ClockService.class)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    static List<String> notClosed(List<Class<?>> classes) {
        List<String> problems = new ArrayList<>();
        for (Class<?> c : classes) {
            if (!isApi(c)) {
                continue;
            }
            boolean ok = Modifier.isFinal(c.getModifiers()) || c.isSealed() || c.isInterface() || c.isEnum() || c.isRecord()
                    || openToClockServicesOnly(c);
            if (!ok) {
                problems.add(c.getName() + " is public but neither final, sealed, an interface, an enum nor a record");
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ checker 2: no internal types

    static List<String> internalInSignatures(List<Class<?>> classes, String internalPackage) {
        List<String> problems = new ArrayList<>();
        for (Class<?> c : classes) {
            if (!isApi(c)) {
                continue;
            }
            Map<String, Type> types = new TreeMap<>();
            types.put("superclass", c.getGenericSuperclass());
            Type[] interfaces = c.getGenericInterfaces();
            for (int i = 0; i < interfaces.length; i++) {
                types.put("interface " + i, interfaces[i]);
            }
            for (TypeVariable<?> v : c.getTypeParameters()) {
                types.put("type parameter " + v.getName(), v);
            }
            if (c.isSealed()) {
                for (Class<?> p : c.getPermittedSubclasses()) {
                    if (isApi(p)) {
                        types.put("permits " + p.getName(), p);
                    }
                }
            }
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    types.put("component " + rc.getName(), rc.getGenericType());
                }
            }
            // public and protected members of the class and of every superclass it exposes them through
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (exposed(f)) {
                        types.put("field " + k.getSimpleName() + "." + f.getName(), f.getGenericType());
                    }
                }
                for (Method m : k.getDeclaredMethods()) {
                    if (exposed(m) && !m.isBridge()) {
                        addExecutable(types, k.getSimpleName() + "." + m.getName(), m);
                        types.put("return of " + k.getSimpleName() + "." + m.getName() + sig(m), m.getGenericReturnType());
                    }
                }
                if (k == c) {
                    for (Constructor<?> ctor : k.getDeclaredConstructors()) {
                        if (exposed(ctor)) {
                            addExecutable(types, k.getSimpleName() + ".<init>", ctor);
                        }
                    }
                }
            }
            for (Class<?> i : allInterfaces(c)) {
                for (Method m : i.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                        addExecutable(types, i.getSimpleName() + "." + m.getName(), m);
                        types.put("return of " + i.getSimpleName() + "." + m.getName() + sig(m), m.getGenericReturnType());
                    }
                }
            }
            types.forEach((where, t) -> {
                Set<String> mentioned = new TreeSet<>();
                collect(t, mentioned, new HashSet<>());
                for (String name : mentioned) {
                    if (name.startsWith(internalPackage + ".")) {
                        problems.add(c.getName() + ": " + where + " mentions " + name);
                    }
                }
            });
        }
        return problems;
    }

    private static boolean exposed(Member m) {
        int mod = m.getModifiers();
        return (Modifier.isPublic(mod) || Modifier.isProtected(mod)) && !m.isSynthetic();
    }

    private static String sig(Executable e) {
        return Stream.of(e.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(",", "(", ")"));
    }

    private static void addExecutable(Map<String, Type> types, String name, Executable e) {
        Type[] params = e.getGenericParameterTypes();
        for (int i = 0; i < params.length; i++) {
            types.put("parameter " + i + " of " + name + sig(e), params[i]);
        }
        Type[] thrown = e.getGenericExceptionTypes();
        for (int i = 0; i < thrown.length; i++) {
            types.put("throws " + i + " of " + name + sig(e), thrown[i]);
        }
        for (TypeVariable<?> v : e.getTypeParameters()) {
            types.put("type parameter " + v.getName() + " of " + name + sig(e), v);
        }
    }

    private static Set<Class<?>> allInterfaces(Class<?> c) {
        Set<Class<?>> out = new HashSet<>();
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                addWithSupers(i, out);
            }
        }
        return out;
    }

    private static void addWithSupers(Class<?> i, Set<Class<?>> out) {
        if (out.add(i)) {
            for (Class<?> s : i.getInterfaces()) {
                addWithSupers(s, out);
            }
        }
    }

    /** The names of every class a generic type mentions. */
    static void collect(Type t, Set<String> out, Set<Type> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        switch (t) {
            case Class<?> c -> {
                Class<?> e = c;
                while (e.isArray()) {
                    e = e.getComponentType();
                }
                out.add(e.getName());
            }
            case ParameterizedType p -> {
                collect(p.getRawType(), out, seen);
                collect(p.getOwnerType(), out, seen);
                for (Type a : p.getActualTypeArguments()) {
                    collect(a, out, seen);
                }
            }
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) {
                    collect(b, out, seen);
                }
                for (Type b : w.getLowerBounds()) {
                    collect(b, out, seen);
                }
            }
            case TypeVariable<?> v -> {
                for (Type b : v.getBounds()) {
                    collect(b, out, seen);
                }
            }
            case GenericArrayType g -> collect(g.getGenericComponentType(), out, seen);
            default -> throw new AssertionError("unknown kind of type " + t);
        }
    }

    // ------------------------------------------------------------------ checker 3: no test-clock controls

    /** What a test clock offers a test and production code must not reach: they live in the testing kit. */
    static final Set<String> CLOCK_CONTROLS = Set.of("autoAdvance", "advance", "advanceToNextTimer", "awaitParked",
            "parkedThreads", "participants", "pendingTimers", "nextDeadline");
    /** A test clock's thread controls: legitimate on a task group, not on a clock. */
    static final Set<String> CLOCK_THREAD_CONTROLS = Set.of("fork", "join");

    static List<String> testClockControls(List<Class<?>> classes) {
        List<String> problems = new ArrayList<>();
        for (Class<?> c : classes) {
            if (!isApi(c)) {
                continue;
            }
            boolean clock = MonotonicClock.class.isAssignableFrom(c);
            for (Method m : c.getMethods()) {
                if (m.getDeclaringClass() == Object.class) {
                    continue;
                }
                String name = m.getName();
                if (CLOCK_CONTROLS.contains(name) || (clock && CLOCK_THREAD_CONTROLS.contains(name))) {
                    problems.add(c.getName() + "." + name + " is a test clock's control");
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ checker 4: the module

    /** Qualified exports the module may have, on purpose: package -> the modules it goes to. */
    static final Map<String, Set<String>> ALLOWED_QUALIFIED = Map.of(INTERNAL, Set.of("org.cancelkit.testkit"));
    /** What the module exports to everyone: the API and the clock service provider interface. */
    static final Set<String> ALLOWED_UNQUALIFIED = Set.of(API, SPI);

    static List<String> moduleProblems(ModuleDescriptor d) {
        List<String> problems = new ArrayList<>();
        if (d.isOpen()) {
            problems.add("the module is open");
        }
        for (ModuleDescriptor.Exports e : d.exports()) {
            if (!e.isQualified()) {
                if (!ALLOWED_UNQUALIFIED.contains(e.source())) {
                    problems.add("exports " + e.source() + " to everyone");
                }
            } else if (!ALLOWED_QUALIFIED.getOrDefault(e.source(), Set.of()).containsAll(e.targets())) {
                problems.add("exports " + e.source() + " to " + e.targets());
            }
        }
        if (d.exports().stream().noneMatch(e -> !e.isQualified() && e.source().equals(API))) {
            problems.add("does not export " + API);
        }
        if (!d.opens().isEmpty()) {
            problems.add("opens " + d.opens());
        }
        for (ModuleDescriptor.Requires r : d.requires()) {
            boolean jdk = r.name().equals("java.base") || r.name().equals("jdk.jfr"); // jdk.jfr: the Flight Recorder events
            boolean annotations = r.name().equals("org.jspecify") && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC);
            if (!jdk && !annotations) {
                problems.add("requires " + r.name() + " (the core depends on the JDK only)");
            }
        }
        return problems;
    }

    /** The descriptor of the running module, or read from module-info.class when running on the class path. */
    static ModuleDescriptor coreDescriptor() throws IOException, URISyntaxException {
        Module m = CancellationToken.class.getModule();
        if (m.isNamed()) {
            return m.getDescriptor();
        }
        try (InputStream in = Files.newInputStream(mainClassesRoot().resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @DisplayName("Architecture: the class scan sees the API (a scan that finds nothing would pass everything)")
    void scanFindsTheApi() throws Exception {
        List<Class<?>> api = classesOf(API);
        assertThat(api).contains(CancellationToken.class, Timeout.class, Cancellation.class, CancelReason.Kind.class,
                CancelAction.class, MonotonicClock.class);
        assertThat(api).doesNotContain(ArchitectureTest.class); // main classes only
        assertThat(classesOf(SPI)).contains(ClockService.class, TimerTask.class);
        assertThat(classesOf(INTERNAL)).contains(TimerEntry.class, Timer.class);
    }

    @Test
    @DisplayName("Architecture: every public type in org.cancelkit is final, sealed, an interface, an enum or a record")
    void publicTypesAreClosed() throws Exception {
        assertThat(notClosed(classesOf(API))).isEmpty();
        assertThat(notClosed(classesOf(SPI))).isEmpty();
    }

    @Test
    @DisplayName("Architecture: no exported type of the core carries a test clock's controls "
            + "(fork/join/awaitParked/advance... live in the testing kit's VirtualClock)")
    void noTestClockControlsInTheCore() throws Exception {
        assertThat(testClockControls(classesOf(API))).isEmpty();
        assertThat(classesOf(API)).noneMatch(c -> c.getSimpleName().equals("VirtualClock"));
        assertThat(classesOf(INTERNAL)).noneMatch(c -> c.getSimpleName().equals("ManualTimer"));
    }

    @Test
    @DisplayName("Architecture: no public or protected signature in org.cancelkit mentions org.cancelkit.internal")
    void noInternalTypesInTheApi() throws Exception {
        assertThat(internalInSignatures(classesOf(API), INTERNAL)).isEmpty();
        assertThat(internalInSignatures(classesOf(SPI), INTERNAL)).isEmpty();
    }

    @Test
    @DisplayName("Architecture: the module exports org.cancelkit and org.cancelkit.spi only (internal: to the testing kit alone), "
            + "opens nothing and needs nothing outside the JDK")
    void moduleExportsOnlyTheApi() throws Exception {
        ModuleDescriptor d = coreDescriptor();
        assertThat(d.name()).isEqualTo(API);
        assertThat(moduleProblems(d)).isEmpty();
        assertThat(d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source))
                .containsExactlyInAnyOrder(API, SPI);
    }

    // ------------------------------------------------------------------ negative controls

    @Test
    @DisplayName("Architecture negative control: the checkers report a non-final class, leaked internal types "
            + "and extra exports")
    void negativeControls() {
        assertThat(notClosed(List.of(BadApi.NotFinal.class, BadApi.AbstractNotSealed.class, BadApi.Clean.class)))
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("NotFinal"))
                .anySatisfy(p -> assertThat(p).contains("AbstractNotSealed"));
        assertThat(openToClockServicesOnly(MonotonicClock.class)).isTrue();
        assertThat(openToClockServicesOnly(BadApi.AbstractNotSealed.class)).isFalse(); // not on the list

        // The testing kit's clock has every control the core must not: the checker finds each of them.
        assertThat(testClockControls(List.of(VirtualClock.class, BadApi.Clean.class)))
                .anySatisfy(p -> assertThat(p).isEqualTo("org.cancelkit.testkit.VirtualClock.fork is a test clock's control"))
                .anySatisfy(p -> assertThat(p).isEqualTo("org.cancelkit.testkit.VirtualClock.join is a test clock's control"))
                .anySatisfy(p -> assertThat(p).isEqualTo("org.cancelkit.testkit.VirtualClock.awaitParked is a test clock's control"))
                .anySatisfy(p -> assertThat(p).contains("VirtualClock.advance "))
                .anySatisfy(p -> assertThat(p).contains("VirtualClock.autoAdvance "))
                .noneSatisfy(p -> assertThat(p).contains("Clean"));
        assertThat(testClockControls(List.of(TaskGroup.class))).isEmpty(); // fork/join of a group is no clock's

        List<String> leaks = internalInSignatures(
                List.of(BadApi.LeaksInternal.class, BadApi.LeaksThroughRecord.class, BadApi.Clean.class), INTERNAL);
        assertThat(leaks)
                .anySatisfy(p -> assertThat(p).contains("field LeaksInternal.entries").contains("TimerEntry"))
                .anySatisfy(p -> assertThat(p).contains("return of LeaksInternal.timer").contains("Timer"))
                .anySatisfy(p -> assertThat(p).contains("type parameter T of LeaksInternal.arm"))
                .anySatisfy(p -> assertThat(p).contains("parameter 0 of LeaksInternal.take"))
                .anySatisfy(p -> assertThat(p).contains("component timer"))
                .noneSatisfy(p -> assertThat(p).contains("Clean"));

        ModuleDescriptor bad = ModuleDescriptor.newModule(API)
                .exports(API)
                .exports(INTERNAL)
                .exports(SPI)
                .exports("org.cancelkit.other", Set.of("some.friend"))
                .opens("org.cancelkit.secret")
                .requires("java.sql")
                .build();
        assertThat(moduleProblems(bad)).containsExactlyInAnyOrder(
                "exports org.cancelkit.internal to everyone",
                "exports org.cancelkit.other to [some.friend]",
                "opens [org.cancelkit.secret]",
                "requires java.sql (the core depends on the JDK only)");
    }
}
