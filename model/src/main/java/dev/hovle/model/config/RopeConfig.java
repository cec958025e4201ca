package dev.hovle.model.config;

import java.util.Optional;

/**
 * Rotary position embedding settings of one transformer stack.
 *
 * @param theta base of the inverse frequencies ({@code rope_theta})
 * @param maxPositionEmbeddings length past which dynamic NTK scaling changes the base
 * @param dynamicScalingFactor the factor of {@code rope_scaling = {"type": "dynamic"}}, empty when unscaled
 */
public record RopeConfig(double theta, int maxPositionEmbeddings, Optional<Double> dynamicScalingFactor) {

    public RopeConfig {
        if (!(theta > 0)) {
            throw new ConfigException("rope_theta must be positive, found " + theta);
        }
        if (maxPositionEmbeddings <= 0) {
            throw new ConfigException("max_position_embeddings must be positive, found " + maxPositionEmbeddings);
        }
        dynamicScalingFactor.ifPresent(f -> {
            if (!(f >= 1.0)) {
                throw new ConfigException("rope_scaling.factor must be at least 1, found " + f);
            }
        });
    }

    /**
     * The rotary base for a sequence of {@code length} positions: InternLM2's dynamic NTK rule raises the base once
     * the sequence outgrows {@code max_position_embeddings}, and leaves it alone before.
     */
    public double baseFor(int length, int headDim) {
        if (!isScaledAt(length)) {
            return theta;
        }
        double factor = dynamicScalingFactor.get();
        double ratio = factor * length / maxPositionEmbeddings - (factor - 1);
        return theta * Math.pow(ratio, (double) headDim / (headDim - 2));
    }

    /**
     * Whether dynamic NTK scaling is active for a sequence of {@code length} positions. Then the base differs from
     * that of any shorter sequence, so every position computed at a shorter length is stale.
     */
    public boolean isScaledAt(int length) {
        return dynamicScalingFactor.isPresent() && length > maxPositionEmbeddings;
    }

    /**
     * The longest sequence this rotary embedding is meant for: {@code max_position_embeddings}, stretched by the
     * dynamic factor (Hugging Face's {@code rope_scaling} documents a factor of x as handling x times the original
     * maximum length).
     */
    public int maxSequenceLength() {
        return dynamicScalingFactor.map(f -> (int) Math.min(Integer.MAX_VALUE, Math.floor(f * maxPositionEmbeddings)))
                .orElse(maxPositionEmbeddings);
    }

    static RopeConfig parse(JsonFields f) {
        Optional<Double> factor = Optional.empty();
        if (f.has("rope_scaling")) {
            JsonFields scaling = f.child("rope_scaling");
            String type = scaling.text("type");
            if (!type.equals("dynamic")) {
                throw new ConfigException(scaling.qualified("type") + ": unsupported rope scaling '" + type
                        + "' (supported: dynamic)");
            }
            factor = Optional.of(scaling.number("factor"));
        }
        return new RopeConfig(f.number("rope_theta"), f.integer("max_position_embeddings"), factor);
    }
}
