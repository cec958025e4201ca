package dev.hovle.tools.local;

import dev.hovle.model.dataset.EvalQuestion;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.schemas.ImageAttributes;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks the inference job about {@code shapes} pictures it was never trained on (a seed of their own), one picture
 * and one question per tick, and keeps score per model version: the answers visibly become right as the training
 * job's versions are promoted.
 */
final class ShapesQuestions implements Runnable {
    /** Versions listed in the status line after the first one. */
    private static final int SCORES_SHOWN = 4;
    private static final long SEED = 7_777;

    private final EventProducer producer;
    private final String imagesTopic;
    private final String requestsTopic;
    private final ShapesDataset pictures;
    private final Map<String, EvalQuestion> asked = new ConcurrentHashMap<>();
    /** Right and judged answers per version, in the order versions first answered. */
    private final Map<String, int[]> scoreByVersion = new LinkedHashMap<>();
    private final AtomicLong step = new AtomicLong();

    ShapesQuestions(EventProducer producer, String imagesTopic, String requestsTopic, int tileSize) {
        this.producer = producer;
        this.imagesTopic = imagesTopic;
        this.requestsTopic = requestsTopic;
        this.pictures = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optSeed(SEED)
                .optImageSize(tileSize).build();
    }

    @Override
    public void run() {
        long n = step.incrementAndGet();
        int index = (int) (n % pictures.size());
        List<EvalQuestion> questions = pictures.questions(index);
        // Not the caption (index 0): every picture is captioned anyway; ask one of the other questions.
        EvalQuestion question = questions.get(1 + (int) (n % (questions.size() - 1)));
        String imageId = String.format(Locale.ROOT, "shape-%04d", n);
        String requestId = String.format(Locale.ROOT, "shape-qa-%04d", n);
        Instant now = Instant.now();
        producer.send(imagesTopic, ImageEvent.newBuilder().setImageId(imageId).setSource("shapes").setEventTime(now)
                .setMediaType("image/png").setData(ByteBuffer.wrap(question.images().get(0)))
                // The truth travels with the picture, so readers of the topics (the web page) can judge too.
                .setAttributes(Map.of(ImageAttributes.QUESTION, question.question(),
                        ImageAttributes.EXPECTED_ANSWER, question.answer())).build());
        producer.send(requestsTopic, VlmRequest.newBuilder().setRequestId(requestId).setTask(Task.QA)
                .setEventTime(now).setImageIds(List.of(imageId)).setPrompt(question.question()).build());
        asked.put(requestId, question);
    }

    /** The question of {@code requestId} with its expected answer, scored against {@code result}; null if not ours. */
    String judge(VlmResult result) {
        EvalQuestion question = asked.remove(result.getRequestId());
        if (question == null) {
            return null;
        }
        boolean right = result.getText().strip().equals(question.answer());
        synchronized (scoreByVersion) {
            int[] score = scoreByVersion.computeIfAbsent(result.getModelVersion(), v -> new int[2]);
            score[0] += right ? 1 : 0;
            score[1]++;
        }
        return question.question() + " (expected " + question.answer() + (right ? ", right)" : ", wrong)");
    }

    /** Right answers per serving version: the first, then the newest, e.g. {@code tiny 0/12, (3 more), a1b2-000150 9/14}. */
    String scores() {
        synchronized (scoreByVersion) {
            List<String> scores = new ArrayList<>();
            scoreByVersion.forEach((version, s) -> scores.add(version + " " + s[0] + "/" + s[1]));
            if (scores.size() > SCORES_SHOWN + 1) { // the first version, then the newest ones
                int hidden = scores.size() - SCORES_SHOWN - 1;
                scores.subList(1, 1 + hidden).clear();
                scores.add(1, "(" + hidden + " more)");
            }
            return scores.isEmpty() ? "-" : String.join(", ", scores);
        }
    }
}
