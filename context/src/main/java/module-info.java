/**
 * cancelkit context: thread-bound context (SLF4J's MDC, OpenTelemetry's {@code Context}, or your own)
 * carried from the thread that forks work to the thread that runs it, and removed again after.
 *
 * <p>Start with {@link org.cancelkit.context.ContextPropagation}. The SLF4J and OpenTelemetry carriers
 * need their library on the class or module path only when they are used.
 */
// "requires-automatic": OpenTelemetry's jars are automatic modules.
@SuppressWarnings("requires-automatic")
module org.cancelkit.context {
    requires transitive org.cancelkit;
    requires static org.slf4j;
    requires static io.opentelemetry.context;
    requires static transitive org.jspecify;

    exports org.cancelkit.context;
    exports org.cancelkit.context.slf4j;
    exports org.cancelkit.context.otel;
}
