package org.cancelkit;

import java.util.List;

/** The built-in completion policies. */
enum Policies implements CompletionPolicy {
    FAIL_FAST {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return ended.outcome() == TaskOutcome.FAILED;
        }

        @Override
        public void onJoin(TaskReport report) {
            throwFailures(report);
        }
    },
    SUPERVISE {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return false;
        }

        @Override
        public void onJoin(TaskReport report) {}
    },
    FIRST_SUCCESS {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return ended.outcome().isSuccess();
        }

        @Override
        public void onJoin(TaskReport report) {
            if (report.tasks().stream().noneMatch(t -> t.outcome().isSuccess())) {
                throwFailures(report);
                // Every task cancelled (the group cancelled from outside) is a cancellation, as in race,
                // not a programming error.
                for (TaskResult t : report.tasks()) {
                    if (t.outcome().isCancelled()) {
                        throw new CancelledException(t.failure() instanceof CancelledException ce ? ce.reason()
                                : CancelReason.requested("every task of the group was cancelled before it started"));
                    }
                }
                throw new IllegalStateException("no task of the group completed: " + report.tasks());
            }
        }
    },
    FIRST_TO_END {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return ended.outcome().isSuccess() || ended.outcome() == TaskOutcome.FAILED;
        }

        @Override
        public void onJoin(TaskReport report) {}
    };

    /** Throws the first failure with the others suppressed, if any task failed. */
    static void throwFailures(TaskReport report) {
        TaskFailedException first = null;
        for (TaskResult t : report.endOrder()) {
            if (t.outcome() != TaskOutcome.FAILED || t.failure() == null) {
                continue;
            }
            if (first == null) {
                first = new TaskFailedException(t.name(), t.failure());
            } else {
                first.addSuppressed(t.failure());
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
