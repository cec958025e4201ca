package dev.hovle.operators.inference;

import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.SamplingParams;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.prompt.Turn;
import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** How the job reads a {@link VlmRequest}: what makes one valid, its history as turns, its decoding settings. */
public final class VlmRequests {
    /** Where an image goes in a prompt or history turn (the InternVL convention HoVLE follows). */
    public static final String IMAGE_PLACEHOLDER = "<image>";

    private VlmRequests() {}

    /**
     * Why {@code r} cannot be served, or null when it can: a message naming the field and what it may hold.
     *
     * @param maxImages the most images (named and inline) one request may have
     */
    public static String problem(VlmRequest r, int maxImages) {
        if (r.getRequestId() == null || r.getRequestId().isBlank()) {
            return "request has no id";
        }
        Task task = r.getTask();
        int images = r.getImageIds().size() + r.getImages().size();
        if (task == Task.UNKNOWN) {
            return "request " + r.getRequestId() + " has a task this job does not know (task must be one of CAPTION, "
                    + "QA, CHAT)";
        }
        if (images > maxImages) {
            return "request " + r.getRequestId() + " has " + images + " images; imageIds and images together may "
                    + "hold at most " + maxImages + " (hovle.requests.max-images)";
        }
        if (task == Task.CAPTION && images == 0) {
            return "CAPTION request " + r.getRequestId() + " has no image";
        }
        if (task != Task.CAPTION && (r.getPrompt() == null || r.getPrompt().isBlank())) {
            return task + " request " + r.getRequestId() + " has no prompt";
        }
        if (task != Task.CHAT && !r.getHistory().isEmpty()) {
            return task + " request " + r.getRequestId() + " has a history; only CHAT requests may";
        }
        int placeholders = placeholders(r);
        if (placeholders > 0 && placeholders != images) {
            return "request " + r.getRequestId() + " has " + placeholders + " " + IMAGE_PLACEHOLDER + " placeholders for "
                    + images + " images";
        }
        String history = historyProblem(r.getHistory());
        if (history != null) {
            return "request " + r.getRequestId() + ": " + history;
        }
        var g = r.getGeneration();
        if (g.getMaxNewTokens() != null && g.getMaxNewTokens() < 1) {
            return "request " + r.getRequestId() + ": maxNewTokens must be at least 1, found " + g.getMaxNewTokens();
        }
        if (g.getTemperature() != null && !(g.getTemperature() >= 0)) {
            return "request " + r.getRequestId() + ": temperature must be >= 0, found " + g.getTemperature();
        }
        if (g.getTopP() != null && !(g.getTopP() > 0 && g.getTopP() <= 1)) {
            return "request " + r.getRequestId() + ": topP must be in (0, 1], found " + g.getTopP();
        }
        if (g.getTopK() != null && g.getTopK() < 0) {
            return "request " + r.getRequestId() + ": topK must be >= 0, found " + g.getTopK();
        }
        return null;
    }

    private static String historyProblem(List<ChatTurn> history) {
        if (history.size() % 2 != 0) {
            return "history must be whole USER, ASSISTANT exchanges, found " + history.size() + " turns";
        }
        for (int i = 0; i < history.size(); i++) {
            ChatRole expected = i % 2 == 0 ? ChatRole.USER : ChatRole.ASSISTANT;
            if (history.get(i).getRole() != expected) {
                return "history turn " + i + " is " + history.get(i).getRole() + ", expected " + expected;
            }
        }
        return null;
    }

    /** The {@code <image>} placeholders in the prompt and the history's user turns. */
    static int placeholders(VlmRequest r) {
        int count = count(r.getPrompt());
        for (ChatTurn turn : r.getHistory()) {
            if (turn.getRole() == ChatRole.USER) {
                count += count(turn.getText());
            }
        }
        return count;
    }

    private static int count(String text) {
        int count = 0;
        for (int at = text == null ? -1 : text.indexOf(IMAGE_PLACEHOLDER); at >= 0;
                at = text.indexOf(IMAGE_PLACEHOLDER, at + 1)) {
            count++;
        }
        return count;
    }

    /**
     * The question to ask: the prompt, or {@code captionPrompt} for a CAPTION without one. When the request places no
     * image itself, several images (or images in a conversation) are listed before the question as
     * {@code Image-1: <image>} lines, InternVL's multi-image convention; a single image of a first question is placed
     * by the template.
     */
    public static String question(VlmRequest r, String captionPrompt, int images) {
        String question = r.getTask() == Task.CAPTION && r.getPrompt() == null ? captionPrompt : r.getPrompt();
        if (placeholders(r) > 0 || images == 0 || (images == 1 && r.getHistory().isEmpty())) {
            return question;
        }
        StringBuilder listed = new StringBuilder();
        for (int i = 1; i <= images; i++) {
            listed.append(images == 1 ? "" : "Image-" + i + ": ").append(IMAGE_PLACEHOLDER).append('\n');
        }
        return listed + question;
    }

    /** The history as question/answer turns, oldest first (a valid request's turns alternate USER, ASSISTANT). */
    public static List<Turn> history(VlmRequest r) {
        List<ChatTurn> turns = r.getHistory();
        List<Turn> out = new ArrayList<>();
        for (int i = 0; i + 1 < turns.size(); i += 2) {
            out.add(new Turn(turns.get(i).getText(), turns.get(i + 1).getText()));
        }
        return out;
    }

    /**
     * The request's decoding settings, its nulls filled from the job's defaults. Temperature 0 or null is greedy;
     * the seed defaults to a hash of the request id, so a replay after a failure produces the same text.
     */
    public static GenerationParams generationParams(VlmRequest r, int defaultMaxNewTokens, PromptPreparer preparer) {
        var g = r.getGeneration();
        int maxNew = g.getMaxNewTokens() != null ? g.getMaxNewTokens() : defaultMaxNewTokens;
        if (g.getTemperature() == null || g.getTemperature() == 0) {
            return preparer.greedy(maxNew);
        }
        long seed = g.getSeed() != null ? g.getSeed() : seedOf(r.getRequestId());
        SamplingParams sampling = new SamplingParams(g.getTemperature(), g.getTopK() == null ? 0 : g.getTopK(),
                g.getTopP() == null ? 1 : g.getTopP(), seed);
        return preparer.sampled(maxNew, sampling);
    }

    /** A stable 64-bit FNV-1a hash of the id's UTF-8 bytes (the same on every JVM, unlike identity hashes). */
    static long seedOf(String requestId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
