package org.cancelkit.testkit;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link CancelkitTest}: a fresh {@link VirtualClock} per test,
 * bound while the test's methods run and injectable as a parameter; a {@link Steps} parameter; and
 * leak checks around each test. See {@link CancelkitTest} for what a test gets and what virtual time
 * cannot see.
 *
 * {@snippet :
 * class PoolTest {
 *     static final Bulkhead BULKHEAD = Bulkhead.of("db", 4);
 *
 *     @RegisterExtension
 *     static final CancelkitExtension KIT = CancelkitExtension.create()
 *             .withLeaks(Leaks.all().withCheck(LeakCheck.permits(BULKHEAD)));
 *
 *     @Test
 *     void everyPermitComesBack(VirtualClock clock) { ... }
 * }
 * }
 *
 * <h2>How a test fails</h2>
 * After the test and its {@code @AfterEach} methods, the extension ends the leak watch it began
 * before the {@code @BeforeEach} methods, and checks the test's {@link Steps}. Anything found fails
 * the test with one {@link AssertionError} that lists every leak (threads with their stacks,
 * descriptors, temp files, registrations with the stack that registered them). When the test failed
 * already, that error is attached to the test's failure as suppressed.
 *
 * <p>Instances are immutable and may be shared by every test of a class. Tests run in parallel see
 * each other's threads and descriptors: keep leak-checked tests on one thread (JUnit's default).
 */
public final class CancelkitExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
        InvocationInterceptor {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CancelkitExtension.class);
    private static final String STATE = "state";

    /** The configuration of one test. */
    private record Config(boolean autoAdvance, Leaks leaks) {}

    /** One test's clock, leak watch and steps. Created in beforeEach; used on the test's thread. */
    private static final class State {
        final CancelkitExtension owner;
        final VirtualClock clock;
        final LeakWatch watch;
        volatile @Nullable Steps steps;

        State(CancelkitExtension owner, VirtualClock clock, LeakWatch watch) {
            this.owner = owner;
            this.clock = clock;
            this.watch = watch;
        }
    }

    private final @Nullable Config explicit;

    /** The extension as {@link CancelkitTest} registers it: configured by the annotation. */
    public CancelkitExtension() {
        this.explicit = null;
    }

    private CancelkitExtension(Config config) {
        this.explicit = config;
    }

    /**
     * Returns an extension to register with {@code @RegisterExtension}: auto-advance on, every leak
     * check, temp files in {@link TempFiles#defaults()}. It ignores {@link CancelkitTest}.
     *
     * @return the extension
     */
    public static CancelkitExtension create() {
        return new CancelkitExtension(new Config(true, Leaks.all()));
    }

    /**
     * Returns a copy with auto-advance on or off.
     *
     * @param on whether the clock jumps when every participant waits
     * @return a copy
     */
    public CancelkitExtension withAutoAdvance(boolean on) {
        Config c = explicitOrDefault();
        return new CancelkitExtension(new Config(on, c.leaks()));
    }

    /**
     * Returns a copy with these leak checks, for instance with a {@link LeakCheck} of your own.
     *
     * @param leaks the checks
     * @return a copy
     */
    public CancelkitExtension withLeaks(Leaks leaks) {
        Objects.requireNonNull(leaks, "leaks");
        return new CancelkitExtension(new Config(explicitOrDefault().autoAdvance(), leaks));
    }

    private Config explicitOrDefault() {
        return explicit != null ? explicit : new Config(true, Leaks.all());
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void beforeEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        if (store.get(STATE) != null) {
            throw new ExtensionConfigurationException("the cancelkit extension is registered twice for "
                    + testName(context) + ": use either @CancelkitTest or @RegisterExtension"
                    + " CancelkitExtension.create(), not both");
        }
        Config config = explicit != null ? explicit : fromAnnotation(context);
        VirtualClock clock = VirtualClock.create();
        if (config.autoAdvance()) {
            clock.autoAdvance();
        }
        LeakWatch watch = config.leaks().begin();
        for (Path dir : tempDirFields(context)) {
            watch.watchTempDirectory(dir, Integer.MAX_VALUE);
        }
        store.put(STATE, new State(this, clock, watch));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        State s = context.getStore(NAMESPACE).get(STATE, State.class);
        if (s == null || s.owner != this) {
            return;
        }
        context.getStore(NAMESPACE).remove(STATE);
        LeakReport report = s.watch.end();
        List<String> problems = new ArrayList<>();
        Steps steps = s.steps;
        if (steps != null) {
            Throwable testFailure = context.getExecutionException().orElse(null);
            try {
                steps.assertFinished();
            } catch (AssertionError e) {
                if (e != testFailure) {
                    problems.add("steps: " + e.getMessage());
                }
            }
        }
        if (!report.isEmpty()) {
            problems.add(report.toString());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("cancelkit: " + testName(context) + " left something behind.\n"
                    + String.join("\n", problems));
        }
    }

    private static String testName(ExtensionContext context) {
        return context.getTestClass().map(c -> c.getSimpleName() + " > ").orElse("") + context.getDisplayName();
    }

    // ------------------------------------------------------------------ binding the clock

    @Override
    public void interceptBeforeEachMethod(Invocation<@Nullable Void> invocation,
                                          ReflectiveInvocationContext<Method> invocationContext,
                                          ExtensionContext extensionContext) throws Throwable {
        proceedBound(invocation, invocationContext, extensionContext);
    }

    @Override
    public void interceptTestMethod(Invocation<@Nullable Void> invocation,
                                    ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        proceedBound(invocation, invocationContext, extensionContext);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<@Nullable Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        proceedBound(invocation, invocationContext, extensionContext);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<@Nullable Void> invocation,
                                         ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext extensionContext) throws Throwable {
        proceedBound(invocation, invocationContext, extensionContext);
    }

    private void proceedBound(Invocation<@Nullable Void> invocation, ReflectiveInvocationContext<Method> call,
                              ExtensionContext context) throws Throwable {
        State s = context.getStore(NAMESPACE).get(STATE, State.class);
        if (s == null || s.owner != this) {
            invocation.proceed();
            return;
        }
        Parameter[] params = call.getExecutable().getParameters();
        List<Object> args = call.getArguments();
        for (int i = 0; i < params.length && i < args.size(); i++) {
            Path dir = asPath(args.get(i));
            if (dir != null && params[i].isAnnotationPresent(TempDir.class)) {
                s.watch.watchTempDirectory(dir, Integer.MAX_VALUE);
            }
        }
        Throwable[] failure = {null};
        s.watch.call(() -> s.clock.call(() -> {
            try {
                invocation.proceed();
            } catch (Throwable t) {
                failure[0] = t;
            }
            return null;
        }));
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    // ------------------------------------------------------------------ parameters

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == VirtualClock.class || type == Steps.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        State s = extensionContext.getStore(NAMESPACE).get(STATE, State.class);
        Class<?> type = parameterContext.getParameter().getType();
        if (s == null) {
            throw new ParameterResolutionException("cancelkit gives a " + type.getSimpleName() + " to test methods"
                    + " and their @BeforeEach/@AfterEach methods only, one per test; "
                    + parameterContext.getDeclaringExecutable() + " is not one");
        }
        if (type == VirtualClock.class) {
            return s.clock;
        }
        synchronized (s) {
            Steps steps = s.steps;
            if (steps == null) {
                steps = new Steps();
                s.steps = steps;
            }
            return steps;
        }
    }

    // ------------------------------------------------------------------ configuration

    private static Config fromAnnotation(ExtensionContext context) {
        Optional<CancelkitTest> found = AnnotationSupport.findAnnotation(context.getTestMethod(), CancelkitTest.class);
        for (Class<?> c = context.getTestClass().orElse(null); found.isEmpty() && c != null; c = c.getEnclosingClass()) {
            found = AnnotationSupport.findAnnotation(c, CancelkitTest.class);
        }
        if (found.isEmpty()) {
            return new Config(true, Leaks.all());
        }
        CancelkitTest a = found.get();
        Leaks leaks = Leaks.of(a.leakChecks());
        TempFiles temp = a.tempFileDirectories().length == 0 ? TempFiles.defaults()
                : TempFiles.in(java.util.Arrays.stream(a.tempFileDirectories()).map(Path::of).toArray(Path[]::new));
        if (leaks.enabled().contains(Leak.TEMP_FILES)) {
            leaks = leaks.withTempFiles(temp.withGlob(a.tempFileGlob()));
        }
        for (String regex : a.ignoredThreads()) {
            leaks = leaks.ignoringThreads(regex);
        }
        return new Config(a.autoAdvance(), leaks);
    }

    private static List<Path> tempDirFields(ExtensionContext context) {
        List<Path> dirs = new ArrayList<>();
        try {
            context.getTestInstances().ifPresent(instances -> {
                for (Object instance : instances.getAllInstances()) {
                    for (Object v : AnnotationSupport.findAnnotatedFieldValues(instance, TempDir.class)) {
                        Path p = asPath(v);
                        if (p != null) {
                            dirs.add(p);
                        }
                    }
                }
            });
            context.getTestClass().ifPresent(c -> {
                for (Object v : AnnotationSupport.findAnnotatedFieldValues(c, TempDir.class)) {
                    Path p = asPath(v);
                    if (p != null) {
                        dirs.add(p);
                    }
                }
            });
        } catch (RuntimeException e) {
            // a field the extension may not read (module access): its directory is not watched
        }
        return dirs;
    }

    private static @Nullable Path asPath(@Nullable Object value) {
        return value instanceof Path p ? p : value instanceof File f ? f.toPath() : null;
    }

    @Override
    public String toString() {
        return "CancelkitExtension[" + (explicit == null ? "@CancelkitTest" : explicit) + "]";
    }
}
