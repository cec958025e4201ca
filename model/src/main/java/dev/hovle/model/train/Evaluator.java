package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.dataset.ConversationDataset;
import dev.hovle.model.dataset.EvalQuestion;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.prepare.PreparedPrompt;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.vision.InvalidImageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/**
 * Scores a model on held-out samples: the stage's loss on their conversations, and exact-match accuracy of captions
 * and answers generated greedily through the same preparation and engine as {@code hovle generate}.
 */
public final class Evaluator {
    private static final int LOSS_BATCH = 8;
    private static final int MAX_NEW_TOKENS = 40;
    private static final int MISTAKES_KEPT = 5;

    private final HoVLEModel model;
    private final SampleEncoder encoder;
    private final PromptPreparer preparer;
    private final Objective objective;

    public Evaluator(HoVLEModel model, SampleEncoder encoder, Objective objective) {
        this.model = model;
        this.encoder = encoder;
        this.objective = objective;
        this.preparer = PromptPreparer.builder().setConfig(model.config()).setTokenizer(encoder.tokenizer()).build();
    }

    /** Evaluates the first {@code samples} samples of {@code data}; {@code generate} adds the accuracies. */
    public EvalReport evaluate(ConversationDataset data, int samples, boolean generate) {
        // The engine's worker thread runs with PyTorch's default grad mode (on, per thread): weights that require
        // gradients would make every cached key a graph node. Evaluation needs none, so switch them off meanwhile.
        Map<NDArray, Boolean> tracked = new HashMap<>();
        model.weights().byName().values().forEach(w -> tracked.put(w, w.hasGradient()));
        tracked.keySet().forEach(w -> w.setRequiresGradient(false));
        try {
            return evaluateFrozen(data, samples, generate);
        } finally {
            tracked.forEach(NDArray::setRequiresGradient);
        }
    }

    private EvalReport evaluateFrozen(ConversationDataset data, int samples, boolean generate) {
        int count = Math.min(samples, data.size());
        double loss = loss(data, count);
        if (!generate) {
            return new EvalReport(loss, 0, 0, 0, 0, List.of(), List.of());
        }
        List<EvalQuestion> questions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            questions.addAll(data.questions(i));
        }
        Map<String, int[]> byKind = new LinkedHashMap<>(); // kind → {asked, correct}
        List<String> mistakes = new ArrayList<>();
        List<String> answers = generate(questions);
        for (int i = 0; i < questions.size(); i++) {
            EvalQuestion q = questions.get(i);
            int[] score = byKind.computeIfAbsent(q.kind(), k -> new int[2]);
            score[0]++;
            if (answers.get(i).strip().equals(q.answer().strip())) {
                score[1]++;
            } else if (mistakes.size() < MISTAKES_KEPT) {
                mistakes.add(q.question() + " → " + answers.get(i).strip() + " (expected " + q.answer() + ")");
            }
        }
        int[] captions = byKind.getOrDefault(EvalQuestion.CAPTION, new int[2]);
        int[] answered = new int[2]; // every other kind together
        List<EvalReport.KindScore> kinds = new ArrayList<>();
        byKind.forEach((kind, score) -> {
            kinds.add(new EvalReport.KindScore(kind, score[0], score[1]));
            if (!kind.equals(EvalQuestion.CAPTION)) {
                answered[0] += score[0];
                answered[1] += score[1];
            }
        });
        return new EvalReport(loss, captions[0], captions[1], answered[0], answered[1], mistakes, kinds);
    }

    private double loss(ConversationDataset data, int count) {
        double sum = 0;
        long targets = 0;
        for (int start = 0; start < count; start += LOSS_BATCH) {
            List<EncodedSample> encoded = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + LOSS_BATCH); i++) {
                encoded.add(encode(data, i));
            }
            Batch batch = new Batch(encoded);
            try (NDManager scope = model.newScope()) {
                sum += objective.lossSum(model, scope, batch).getFloat();
            }
            targets += batch.targets(objective);
        }
        return targets == 0 ? Double.NaN : sum / targets;
    }

    private EncodedSample encode(ConversationDataset data, int index) {
        try {
            return encoder.encode(data.get(index));
        } catch (InvalidImageException e) {
            throw new IllegalArgumentException("eval sample " + index + ": " + e.getMessage(), e);
        }
    }

    /** Greedy answers to every question, batched by the continuous-batching engine. */
    private List<String> generate(List<EvalQuestion> questions) {
        GenerationParams params = preparer.greedy(MAX_NEW_TOKENS);
        List<GenerationHandle> handles = new ArrayList<>();
        int longest = 0;
        List<PreparedPrompt> prompts = new ArrayList<>();
        for (EvalQuestion q : questions) {
            try {
                PreparedPrompt p = preparer.prepare(q.images(), q.question(), q.history());
                prompts.add(p);
                longest = Math.max(longest, p.inputIds().length);
            } catch (InvalidImageException e) {
                throw new IllegalArgumentException("eval sample " + q.sampleId() + ": " + e.getMessage(), e);
            }
        }
        int maxLength = Math.min(model.config().maxContextLength(), longest + MAX_NEW_TOKENS);
        try (ContinuousBatchingEngine engine = ContinuousBatchingEngine.builder().setModel(model).optMaxBatch(16)
                .optTokenBudget(Math.max(512, longest + 17)).optMaxSequenceLength(maxLength).build()) {
            for (int i = 0; i < prompts.size(); i++) {
                handles.add(engine.submit(prompts.get(i).toRequest("eval-" + i, params)));
            }
            List<String> out = new ArrayList<>();
            for (GenerationHandle h : handles) {
                out.add(preparer.decode(h.result().join().tokens()));
            }
            return out;
        }
    }
}
