package dev.hovle.operators.training;

import dev.hovle.model.dataset.Sample;
import dev.hovle.model.train.EncodedSample;
import dev.hovle.operators.record.SourceRecord;

/**
 * A training sample checked and ready for the trainer. A TRAIN sample travels encoded (tiles, token ids, labels),
 * so the trainer only stacks it into a batch; an EVAL sample travels as images and turns, because the gate both
 * scores its loss and asks its questions through the inference path.
 *
 * @param sampleId the producer's sample id
 * @param eval whether it is held out for the gate (EVAL) rather than trained on
 * @param encoded the encoded conversation, for a TRAIN sample and (for its teacher targets) a DISTILLATION EVAL one
 * @param sample the images and turns, for an EVAL sample; null for TRAIN
 * @param source where it was read (without the value bytes), for provenance in logs and dead letters
 */
public record PreparedSample(String sampleId, boolean eval, EncodedSample encoded, Sample sample,
        SourceRecord source) {

    /** A TRAIN sample. */
    public static PreparedSample train(EncodedSample encoded, SourceRecord source) {
        return new PreparedSample(encoded.id(), false, encoded, null, source.withoutValue());
    }

    /** An EVAL sample; {@code encoded} only where the gate needs its teacher targets, else null. */
    public static PreparedSample eval(Sample sample, EncodedSample encoded, SourceRecord source) {
        return new PreparedSample(sample.id(), true, encoded, sample, source.withoutValue());
    }
}
