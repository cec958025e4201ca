package dev.hovle.operators.metrics;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The trainer as metrics under {@code hovle.training}: gauges {@code loss} (the latest step's training loss),
 * {@code step}, {@code samplesSeen}, {@code samplesPerSecond} (over the latest step, data waits excluded),
 * {@code evalLoss} and {@code evalAccuracy} (the latest candidate's), {@code servingVersion} (the version the gate
 * last promoted, or the starting snapshot's); counters {@code versionsPromoted}, {@code versionsRejected} and
 * {@code evalSamplesBeyondGate} (held-out samples that arrived after the gate's set was full).
 */
public final class TrainingGauges {
    private volatile double loss = Double.NaN;
    private volatile long step;
    private volatile long samplesSeen;
    private volatile double samplesPerSecond;
    private volatile double evalLoss = Double.NaN;
    private volatile double evalAccuracy = Double.NaN;
    private volatile String servingVersion = "";
    private final Counter promoted;
    private final Counter rejected;
    private final Counter evalBeyondGate;

    /** Registers the metrics under {@code group}. */
    public TrainingGauges(MetricGroup group) {
        MetricGroup g = group.addGroup("hovle").addGroup("training");
        g.gauge("loss", (Gauge<Double>) () -> loss);
        g.gauge("step", (Gauge<Long>) () -> step);
        g.gauge("samplesSeen", (Gauge<Long>) () -> samplesSeen);
        g.gauge("samplesPerSecond", (Gauge<Double>) () -> samplesPerSecond);
        g.gauge("evalLoss", (Gauge<Double>) () -> evalLoss);
        g.gauge("evalAccuracy", (Gauge<Double>) () -> evalAccuracy);
        g.gauge("servingVersion", (Gauge<String>) () -> servingVersion);
        promoted = g.counter("versionsPromoted");
        rejected = g.counter("versionsRejected");
        evalBeyondGate = g.counter("evalSamplesBeyondGate");
    }

    /** One optimizer step. */
    public void stepped(double stepLoss, long stepNumber, long seen, int samples, long nanos) {
        loss = stepLoss;
        step = stepNumber;
        samplesSeen = seen;
        samplesPerSecond = nanos == 0 ? 0 : samples * 1e9 / nanos;
    }

    /** A candidate's evaluation and the gate's verdict. */
    public void judged(double candidateLoss, double candidateAccuracy, boolean wasPromoted) {
        evalLoss = candidateLoss;
        evalAccuracy = candidateAccuracy;
        (wasPromoted ? promoted : rejected).inc();
    }

    /** The version candidates are now compared with. */
    public void serving(String version) {
        servingVersion = version;
    }

    /** A held-out sample beyond the gate's set. */
    public void evalSampleBeyondGate() {
        evalBeyondGate.inc();
    }
}
