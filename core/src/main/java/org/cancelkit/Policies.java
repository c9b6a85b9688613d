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
        public void onJoin(TaskGroup.Report report) {
            throwFailures(report, false);
        }
    },
    SUPERVISE {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return false;
        }

        @Override
        public void onJoin(TaskGroup.Report report) {}
    },
    FIRST_SUCCESS {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return ended.outcome().isSuccess();
        }

        @Override
        public void onJoin(TaskGroup.Report report) {
            if (report.tasks().stream().noneMatch(t -> t.outcome().isSuccess())) {
                throwFailures(report, true);
            }
        }
    },
    FIRST_TO_END {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return ended.outcome().isSuccess() || ended.outcome() == TaskOutcome.FAILED;
        }

        @Override
        public void onJoin(TaskGroup.Report report) {}
    };

    /** Throws the first failure with the others suppressed; {@code always} also when none failed. */
    static void throwFailures(TaskGroup.Report report, boolean always) {
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
        if (always) {
            throw new IllegalStateException("no task of the group completed: " + report.tasks());
        }
    }
}
