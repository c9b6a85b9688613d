package org.cancelkit.spring;

import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.context.ContextPropagation;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs a task of Spring's task executors ({@code @Async} methods, Spring MVC's asynchronous requests)
 * with the submitter's context ({@link ContextPropagation}: MDC, tracing) and, when
 * {@code bindToCaller} is on, bound to the submitter's token: cancelled with its request, and stopped
 * at its deadline.
 *
 * <h2>Pitfall</h2>
 * A task bound to a request's token is cancelled when the request ends: fire-and-forget work that
 * should outlive the request must not be bound to it (turn {@code cancelkit.async.bind-to-caller}
 * off, or run it bound to {@link RequestTokens#root()}). Thread-safe.
 */
public final class CancelkitTaskDecorator implements TaskDecorator {
    private final boolean bindToCaller;

    /**
     * Creates the decorator.
     *
     * @param bindToCaller whether tasks run bound to the submitter's token
     */
    public CancelkitTaskDecorator(boolean bindToCaller) {
        this.bindToCaller = bindToCaller;
    }

    @Override
    public Runnable decorate(Runnable task) {
        Runnable withContext = ContextPropagation.wrapTask(task);
        CancellationToken caller = Cancellation.current();
        if (!bindToCaller || caller.equals(CancellationToken.never())) {
            return withContext;
        }
        return () -> caller.run(withContext::run);
    }
}
