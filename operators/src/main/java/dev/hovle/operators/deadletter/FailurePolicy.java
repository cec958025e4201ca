package dev.hovle.operators.deadletter;

/**
 * Which failures while processing one record stay that record's (it becomes a dead letter and the job goes on), and
 * which are the JVM's and must restart the job.
 *
 * <p>Record-local: every {@link Exception}; a {@link StackOverflowError} (the stack unwinds with the record); an
 * {@link OutOfMemoryError} refusing one oversized array ("Requested array size exceeds VM limit", "Required array
 * size too large": nothing was allocated); any other {@link Error} a library throws for bad input (an
 * {@link AssertionError} in a decoder, say).
 *
 * <p>JVM-wide, rethrown so Flink restarts the task: any other {@link VirtualMachineError} (heap, metaspace or direct
 * memory exhausted, an internal error: the process is no longer trustworthy), a {@link LinkageError} (the class path
 * is broken for every record, not this one), and {@link ThreadDeath}. The record that was in flight is then counted
 * by {@link RecordAttempts}, so its replay cannot restart the job forever.
 */
public final class FailurePolicy {
    private FailurePolicy() {}

    /** Whether {@code failure} may be contained as one record's dead letter. */
    public static boolean isRecordLocal(Throwable failure) {
        if (failure instanceof Exception || failure instanceof StackOverflowError) {
            return true;
        }
        if (failure instanceof OutOfMemoryError oom) {
            String message = String.valueOf(oom.getMessage());
            return message.contains("array size");
        }
        @SuppressWarnings("removal")
        boolean threadDeath = failure instanceof ThreadDeath;
        return !(failure instanceof VirtualMachineError || failure instanceof LinkageError || threadDeath);
    }

    /** Rethrows {@code failure} unless it is record-local; returns it when it is. */
    public static Throwable containOrRethrow(Throwable failure) {
        if (!isRecordLocal(failure)) {
            if (failure instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(failure);
        }
        return failure;
    }

    /** A short description for a dead letter: the failure's type and message, not its stack. */
    public static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
}
