package dev.hovle.tools.local;

import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** One readable line per result or dead letter, as the local runtime and {@code hovle tail} print them. */
public final class EventLines {
    private static final int TEXT_WIDTH = 90;

    private EventLines() {}

    /**
     * A result: task, image ids, end-to-end latency (from the request's event time to {@code seenAt}), generation
     * time, model version, and the question (when known) with the text.
     */
    public static String result(VlmResult r, String question, Instant seenAt) {
        String images = r.getImageIds().isEmpty() ? r.getRequestId() : String.join(",", r.getImageIds());
        long e2e = Duration.between(r.getEventTime(), seenAt).toMillis();
        long generation = r.getTimings().getPrefillMillis() + r.getTimings().getDecodeMillis();
        String what = r.getTask() == Task.CAPTION ? "caption" : r.getTask() == Task.QA ? "answer" : "reply";
        String text = clip(r.getText().replace('\n', ' '));
        String said = question == null ? "\"" + text + "\"" : "Q: " + question + "  A: \"" + text + "\"";
        return String.format(Locale.ROOT, "%-7s %-12s %6s e2e %6s gen  %-10s %s  [%s]", what, images,
                seconds(e2e), millis(generation), r.getModelVersion(), said, r.getRequestId());
    }

    /** A model update: status, version, parent, progress, eval figures, and the gate's reason. */
    public static String update(ModelUpdate u) {
        Double loss = u.getMetrics().get("eval_loss");
        Double accuracy = u.getMetrics().get("eval_accuracy");
        String figures = (loss == null ? "" : String.format(Locale.ROOT, "eval loss %.4f", loss))
                + (accuracy == null ? "" : String.format(Locale.ROOT, ", accuracy %.1f%%", 100 * accuracy));
        return String.format(Locale.ROOT, "MODEL   %-11s %-18s parent %-18s step %d, %d samples  %s%s", u.getStatus(),
                u.getVersion(), u.getParentVersion(), u.getStep(), u.getSamplesSeen(), figures,
                u.getReason() == null ? "" : "  (" + clip(u.getReason()) + ")");
    }

    /** A dead letter: its type, stage, provenance, key and message. */
    public static String deadLetter(DeadLetter d) {
        return String.format(Locale.ROOT, "DEAD    %-24s %-8s %s-%s@%s key=%s  %s", d.getErrorType(), d.getStage(),
                d.getSourceTopic(), d.getSourcePartition(), d.getSourceOffset(), text(d.getKey()),
                clip(d.getMessage()));
    }

    private static String text(ByteBuffer bytes) {
        if (bytes == null) {
            return "-";
        }
        ByteBuffer view = bytes.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String clip(String text) {
        return text.length() <= TEXT_WIDTH ? text : text.substring(0, TEXT_WIDTH - 1) + "…";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String millis(long millis) {
        return millis + " ms";
    }
}
