package dev.hovle.operators.deadletter;

import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts an operator's dead letters by error type, as {@code hovle.deadLetters.<type>.count} (a {@code type} label in
 * reporters that support key-value groups, such as Prometheus).
 */
public final class DeadLetterCounters {
    private final Map<ErrorType, Counter> counters = new EnumMap<>(ErrorType.class);

    /** Registers one counter per error type under {@code group}, so dashboards see zeros, not gaps. */
    public DeadLetterCounters(MetricGroup group) {
        MetricGroup deadLetters = group.addGroup("hovle").addGroup("deadLetters");
        for (ErrorType type : ErrorType.values()) {
            counters.put(type, deadLetters.addGroup("type", type.name()).counter("count"));
        }
    }

    /** Counts {@code letter} and returns it. */
    public DeadLetter counted(DeadLetter letter) {
        counters.get(letter.getErrorType()).inc();
        return letter;
    }
}
