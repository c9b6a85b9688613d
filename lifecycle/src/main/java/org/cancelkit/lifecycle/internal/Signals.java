package org.cancelkit.lifecycle.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.cancelkit.lifecycle.Application;

/**
 * SIGTERM and SIGINT for an {@link Application}: {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) when the JVM lets us have them, else a shutdown hook.
 *
 * <p>{@code sun.misc.Signal} is reached by reflection: javac warns about any direct use of it with
 * a warning that no {@code @SuppressWarnings} silences, and the build treats warnings as errors.
 * The API itself is the one the JDK keeps for exactly this (JEP 260 left it accessible in
 * {@code jdk.unsupported} because nothing supported replaces it).
 */
public final class Signals {
    private static final List<String> NAMES = List.of("TERM", "INT");

    private Signals() {}

    /**
     * Installs the handlers.
     *
     * @param app what each signal is told to
     * @param hook what a fallback shutdown hook runs (a graceful shutdown, waited for)
     * @return {@code "signals"} or {@code "shutdown hook"}
     */
    public static String install(Application app, Runnable hook) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signal.getConstructor(String.class);
            Method handle = signal.getMethod("handle", signal, handler);
            Method getName = signal.getMethod("getName");
            // The JDK runs a handler on a new thread per signal; app.signal only records and returns.
            Object onSignal = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle") && args != null && args.length == 1) {
                            app.signal("SIG" + getName.invoke(args[0]));
                            return null;
                        }
                        return switch (method.getName()) {
                            case "toString" -> "cancelkit signal handler of " + app.name();
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> args != null && args[0] == proxy;
                            default -> null;
                        };
                    });
            for (String name : NAMES) {
                handle.invoke(null, newSignal.newInstance(name), onSignal);
            }
            return "signals";
        } catch (InvocationTargetException e) {
            // The VM or OS keeps the signal (IllegalArgumentException; -Xrs does this too, and then a
            // SIGTERM ends the process without hooks): the hook still covers an exit for other reasons.
            return hook(app, hook);
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            // A runtime without jdk.unsupported (a jlink image that left it out).
            return hook(app, hook);
        }
    }

    private static String hook(Application app, Runnable hook) {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name(app.name() + "-shutdown-hook").unstarted(hook));
        return "shutdown hook";
    }
}
