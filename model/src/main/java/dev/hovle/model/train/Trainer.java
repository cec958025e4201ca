package dev.hovle.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.layers.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Trains a HoVLE model one optimizer step at a time: forward and backward over each micro-batch (gradients
 * accumulate), unscale, clip by global norm, AdamW, schedule. Every temporary of a step lives in one scope closed
 * at its end, so a long run holds a constant number of native arrays.
 *
 * <p>Models compute in float32. Float16 training is refused: DJL 0.35.1 casts dtypes under PyTorch's no-grad guard
 * ({@code torchTo}), so the float32 statistics the layers take in float16 (RMSNorm, softmax, as the official code
 * does) would cut the graph. The dynamic loss scaler float16 needs is here ({@link LossScaler}, optional), and skips
 * any step whose gradients overflow.
 *
 * <pre>{@code
 * HoVLEModel model = HoVLEModel.load(dir, Device.cpu(), DataType.FLOAT32, WeightMode.TRAINING);
 * try (Trainer trainer = Trainer.builder().setModel(model).setStage(new Alignment())
 *         .setSchedule(new LearningRateSchedule(1e-3, 10, 100, 0.1)).build()) {
 *     StepResult r = trainer.step(List.of(batch));
 * }
 * }</pre>
 */
public final class Trainer implements AutoCloseable {
    /**
     * DJL's PyTorch engine allows one gradient collector per JVM at a time and refuses a second: trainers sharing a
     * JVM (two training jobs in one TaskManager, or a restarted job while its cancelled attempt finishes a step) take
     * turns instead of failing.
     */
    private static final Object GRADIENT_COLLECTOR = new Object();

    private final HoVLEModel model;
    private final Stage stage;
    private final List<TrainableParameter> parameters;
    private final LearningRateSchedule schedule;
    private final double maxGradNorm;
    private final AdamW optimizer;
    private final Map<String, Double> lrScales = new LinkedHashMap<>();
    private TrainerState state;

    private Trainer(Builder b) {
        this.model = b.model;
        this.stage = b.stage;
        this.schedule = b.schedule;
        this.maxGradNorm = b.maxGradNorm;
        this.parameters = TrainableParameter.select(model.weights(), stage);
        Set<String> trained = parameters.stream().map(TrainableParameter::name).collect(Collectors.toSet());
        // Frozen tensors never join the autograd graph: they get no gradient and are never written.
        model.weights().byName().forEach((name, array) -> array.setRequiresGradient(trained.contains(name)));
        for (TrainableParameter p : parameters) {
            b.lrScales.stream().filter(r -> r.names().test(p.name())).findFirst()
                    .ifPresent(r -> lrScales.put(p.name(), r.scale()));
        }
        this.optimizer = new AdamW(b.optimizer, model.newScope());
        this.state = TrainerState.initial(b.lossScaler != null ? b.lossScaler : LossScaler.off());
    }

    /** A builder; model, stage and schedule are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One optimizer step over {@code microBatches}, whose gradients accumulate: the loss is the mean over all their
     * terms, exactly as if they were one batch.
     */
    public StepResult step(List<Batch> microBatches) {
        long step = state.step();
        double lr = schedule.at(step);
        double scale = state.scaler().scale();
        long targets = microBatches.stream().mapToLong(b -> b.targets(stage.objective())).sum();
        boolean images = microBatches.stream().anyMatch(Batch::hasImages);
        int samples = microBatches.stream().mapToInt(b -> b.samples().size()).sum();
        double loss;
        double norm;
        try (NDManager scope = model.newScope()) {
            loss = backward(scope, microBatches, targets, scale) / targets;
            Map<TrainableParameter, NDArray> grads = gradients(scope, images, scale);
            norm = globalNorm(grads);
            boolean finite = Double.isFinite(norm);
            if (finite) {
                double clip = maxGradNorm > 0 ? Math.min(1, maxGradNorm / (norm + 1e-6)) : 1;
                grads.forEach((p, g) -> optimizer.update(scope, p.name(), p.array(), clip < 1 ? g.muli(clip) : g,
                        lr * learningRateScale(p.name()), p.decays()));
            }
            zeroGradients(scope, images);
            state = new TrainerState(step + 1, state.samplesSeen() + samples, state.scaler().after(finite));
            return new StepResult(step, loss, norm, lr, samples, targets, !finite, scale);
        }
    }

    /**
     * The Frobenius norm of the gradient of the mean loss over {@code microBatches} for each trained tensor that
     * receives one, without updating anything; a tensor that receives no gradient is absent.
     */
    public Map<String, Double> gradientNorms(List<Batch> microBatches) {
        long targets = microBatches.stream().mapToLong(b -> b.targets(stage.objective())).sum();
        boolean images = microBatches.stream().anyMatch(Batch::hasImages);
        Map<String, Double> norms = new LinkedHashMap<>();
        try (NDManager scope = model.newScope()) {
            backward(scope, microBatches, targets, 1);
            gradients(scope, images, 1).forEach((p, g) -> norms.put(p.name(), (double) g.norm().getFloat()));
            zeroGradients(scope, images);
        }
        return norms;
    }

    /** Runs forward and backward over every micro-batch; returns the summed (unscaled) loss. */
    private double backward(NDManager scope, List<Batch> microBatches, long targets, double scale) {
        double lossSum = 0;
        for (Batch batch : microBatches) {
            synchronized (GRADIENT_COLLECTOR) {
                try (NDManager micro = scope.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray sum = stage.objective().lossSum(model, micro, batch);
                    // Dividing by the step's total term count makes the accumulated gradient that of the step's mean.
                    collector.backward(Scalars.mul(sum, scale / targets));
                    lossSum += sum.getFloat();
                }
            }
        }
        return lossSum;
    }

    /** Unscaled gradients of the tensors that received one; the arrays belong to {@code scope}. */
    private Map<TrainableParameter, NDArray> gradients(NDManager scope, boolean images, double scale) {
        Map<TrainableParameter, NDArray> grads = new LinkedHashMap<>();
        for (TrainableParameter p : parameters) {
            if (!p.receivesGradient(images)) {
                continue;
            }
            NDArray g = p.array().getGradient();
            g.attach(scope); // the engine hands out a new view on the weight's manager per call
            grads.put(p, scale == 1 ? g : g.divi(scale));
        }
        return grads;
    }

    /** sqrt of the sum of squared per-tensor norms, as {@code torch.nn.utils.clip_grad_norm_}. */
    private static double globalNorm(Map<TrainableParameter, NDArray> grads) {
        if (grads.isEmpty()) {
            return 0;
        }
        NDList norms = new NDList();
        grads.values().forEach(g -> norms.add(g.norm().reshape(1)));
        return NDArrays.concat(norms).norm().getFloat();
    }

    /** Resets the accumulated gradients; an assignment, not a multiplication, so even overflowed values clear. */
    private void zeroGradients(NDManager scope, boolean images) {
        for (TrainableParameter p : parameters) {
            if (p.receivesGradient(images)) {
                NDArray g = p.array().getGradient();
                g.attach(scope);
                g.set(new NDIndex("..."), 0f);
            }
        }
    }

    /** The model being trained. */
    public HoVLEModel model() {
        return model;
    }

    /** The stage. */
    public Stage stage() {
        return stage;
    }

    /** The tensors this trainer updates. */
    public List<TrainableParameter> parameters() {
        return parameters;
    }

    /** The factor on the schedule's learning rate for the tensor {@code name} (1 unless a rule scales it). */
    public double learningRateScale(String name) {
        return lrScales.getOrDefault(name, 1.0);
    }

    /** Where the run stands. */
    public TrainerState state() {
        return state;
    }

    /** The learning-rate schedule. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    AdamW optimizer() {
        return optimizer;
    }

    /** The weight a checkpoint saves. */
    NDArray weight(String name) {
        return model.weights().byName().get(name);
    }

    void restoreState(TrainerState restored) {
        this.state = restored;
    }

    /** Closes the optimizer state (the model stays open: its owner closes it). */
    @Override
    public void close() {
        optimizer.close();
    }

    /** Builds a {@link Trainer}. */
    public static final class Builder {
        private HoVLEModel model;
        private Stage stage;
        private LearningRateSchedule schedule;
        private AdamW.Config optimizer = AdamW.Config.defaults();
        private double maxGradNorm = 1.0;
        private LossScaler lossScaler;
        private final List<ScaleRule> lrScales = new ArrayList<>();

        private record ScaleRule(Predicate<String> names, double scale) {}

        private Builder() {}

        /** A model loaded with {@code WeightMode.TRAINING} (required). */
        public Builder setModel(HoVLEModel value) {
            this.model = value;
            return this;
        }

        /** The stage: which tensors learn and the objective (required). */
        public Builder setStage(Stage value) {
            this.stage = value;
            return this;
        }

        /** The learning rate per optimizer step (required). */
        public Builder setSchedule(LearningRateSchedule value) {
            this.schedule = value;
            return this;
        }

        /** AdamW's betas, epsilon and weight decay; default {@link AdamW.Config#defaults()}. */
        public Builder optOptimizer(AdamW.Config value) {
            this.optimizer = value;
            return this;
        }

        /** Clip gradients to this global norm; 0 turns clipping off. Default 1. */
        public Builder optMaxGradNorm(double value) {
            this.maxGradNorm = value;
            return this;
        }

        /** The initial loss scaler, e.g. {@link LossScaler#dynamic()}; default {@link LossScaler#off()}. */
        public Builder optLossScaler(LossScaler value) {
            this.lossScaler = value;
            return this;
        }

        /**
         * The tensors whose names match learn at {@code scale} times the schedule's learning rate (a parameter
         * group); weight decay scales with it, as in PyTorch's per-group {@code lr}. Rules apply in the order given,
         * the first match wins; unmatched tensors learn at 1x. E.g. {@code optLearningRateScale(
         * TrainableParameter::isVisionPath, 0.1)}.
         */
        public Builder optLearningRateScale(Predicate<String> names, double scale) {
            if (!(scale >= 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("learning-rate scale must be finite and >= 0, got " + scale);
            }
            lrScales.add(new ScaleRule(names, scale));
            return this;
        }

        public Trainer build() {
            if (model == null || stage == null || schedule == null) {
                throw new IllegalStateException("Trainer needs setModel(HoVLEModel.load(dir, device, dtype, "
                        + "WeightMode.TRAINING)), setStage(...) and setSchedule(new LearningRateSchedule(...))");
            }
            if (model.dtype() != DataType.FLOAT32) {
                throw new IllegalStateException("training computes in float32: load the model with DataType.FLOAT32 ("
                        + model.dtype() + " casts are not differentiable in DJL 0.35.1: torchTo runs under no_grad)");
            }
            if (maxGradNorm < 0) {
                throw new IllegalStateException("max gradient norm must be >= 0, got " + maxGradNorm);
            }
            return new Trainer(this);
        }
    }
}
