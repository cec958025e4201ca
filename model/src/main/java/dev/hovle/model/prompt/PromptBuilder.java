package dev.hovle.model.prompt;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the prompts of the official {@code InternVLChatModel.chat()} and the labelled sequences of training.
 *
 * <p>For a chat request: {@code <image>\n} is prepended to the question when there is no history, there are images and
 * the question has no {@code <image>}; the template renders system prompt, history and question; then each
 * {@code <image>} of the whole prompt, first occurrence first, becomes {@code <img>} + {@code <IMG_CONTEXT>} ×
 * (num_image_token × tiles of that image) + {@code </img>}. Placeholders beyond the number of images stay literal text,
 * as in the official code; fewer placeholders than images is an error (the official forward would fail later). With an
 * HD ratio the same prompt is also built with {@code floor(num_image_token / downsample_ratio²)} tokens per tile.
 *
 * <p>Immutable and thread-safe. Usage, as in {@code PromptBuilderTest}:
 * <pre>{@code
 * PromptBuilder prompts = PromptBuilder.builder()
 *         .setTemplate(ChatTemplate.named(config.template()))
 *         .setNumImageToken(256)
 *         .build();
 * Prompt prompt = prompts.build(Conversation.of("What is shown in the picture?", 7));
 * int[] inputIds = tokenizer.encode(prompt.text());
 * }</pre>
 */
public final class PromptBuilder {

    static final String IMAGE_PLACEHOLDER = "<image>";
    static final String IMG_START = "<img>";
    static final String IMG_END = "</img>";
    static final String IMG_CONTEXT = "<IMG_CONTEXT>";

    private final ChatTemplate template;
    private final String systemMessage;
    private final int numImageToken;
    /** Context tokens per tile of the HD prompt; 0 when there is none. */
    private final int hdNumImageToken;

    PromptBuilder(ChatTemplate template, String systemMessage, int numImageToken, int hdNumImageToken) {
        this.template = template;
        this.systemMessage = systemMessage;
        this.numImageToken = numImageToken;
        this.hdNumImageToken = hdNumImageToken;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The builder a model's config calls for: its template, its tokens per tile, and the HD prompt when the
     * projector sits after the holistic layers.
     */
    public static PromptBuilder forModel(HoVLEConfig config) {
        Builder b = builder().setTemplate(ChatTemplate.named(config.template())).setNumImageToken(config.tokensPerTile());
        if (config.embedding().pixelShuffleLocation() == PixelShuffleLocation.POST) {
            b.optHdDownsampleRatio(config.embedding().downsampleRatio());
        }
        return b.build();
    }

    public ChatTemplate template() {
        return template;
    }

    /** The prompt (and HD prompt) for a chat request, exactly as the official {@code chat()} builds it. */
    public Prompt build(Conversation conversation) {
        List<Span> spans = chatSpans(conversation);
        List<Integer> tiles = conversation.tilesPerImage();
        String text = join(expandImages(spans, tiles, numImageToken));
        String hdText = hdNumImageToken > 0 ? join(expandImages(spans, tiles, hdNumImageToken)) : null;
        return new Prompt(text, hdText);
    }

    /**
     * The training sequence of one reply to a chat request, as the golden fixtures label it: the prompt
     * {@link #build} renders, tokenized whole (BOS first), then the answer (no BOS) and the separator. Only the answer
     * and the separator carry labels; the answers in the history are context like the rest of the prompt.
     */
    public LabelledSequence labelReply(Conversation conversation, String answer, HoVLETokenizer tokenizer) {
        if (answer.isEmpty()) {
            throw new IllegalArgumentException("the reply is empty: nothing to learn");
        }
        List<Span> spans = List.of(Span.prompt(join(chatSpans(conversation))), Span.target(answer),
                Span.target(template.separator()));
        return labelled(spans, conversation.tilesPerImage(), tokenizer);
    }

    /** The spans of the official {@code chat()} prompt, placeholders not yet expanded. */
    private List<Span> chatSpans(Conversation conversation) {
        String question = conversation.question();
        if (conversation.history().isEmpty() && !conversation.tilesPerImage().isEmpty()
                && !question.contains(IMAGE_PLACEHOLDER)) {
            question = IMAGE_PLACEHOLDER + "\n" + question;
        }
        return template.spans(systemMessage, conversation.history(), question);
    }

    /**
     * The training sequence of finished {@code turns}: the rendered prompt parts are tokenized as units (BOS first
     * when the tokenizer adds one), each answer separately without BOS, each followed by the separator token. With
     * images and no {@code <image>} in any question, {@code <image>\n} is prepended to the first question.
     */
    public LabelledSequence label(List<Turn> turns, List<Integer> tilesPerImage, HoVLETokenizer tokenizer) {
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("a training conversation needs at least one turn");
        }
        List<Turn> prepared = new ArrayList<>(turns);
        for (int i = 0; i < prepared.size(); i++) {
            if (prepared.get(i).answer().isEmpty()) {
                throw new IllegalArgumentException("turn " + i + " has an empty answer: nothing to learn");
            }
        }
        if (!tilesPerImage.isEmpty() && turns.stream().noneMatch(t -> t.question().contains(IMAGE_PLACEHOLDER))) {
            Turn first = prepared.get(0);
            prepared.set(0, new Turn(IMAGE_PLACEHOLDER + "\n" + first.question(), first.answer()));
        }
        return labelled(template.spans(systemMessage, prepared, null), tilesPerImage, tokenizer);
    }

    /** Expands the images of rendered spans and tokenizes them, once more with HD context counts when there are any. */
    private LabelledSequence labelled(List<Span> spans, List<Integer> tilesPerImage, HoVLETokenizer tokenizer) {
        LabelledSequence main = encode(expandImages(spans, tilesPerImage, numImageToken), tokenizer);
        int[] hdIds = hdNumImageToken > 0
                ? encode(expandImages(spans, tilesPerImage, hdNumImageToken), tokenizer).inputIds() : null;
        return new LabelledSequence(main.inputIds(), main.labels(), hdIds);
    }

    /** Tokenizes spans: runs of prompt spans as one text, each target span on its own. */
    private static LabelledSequence encode(List<Span> spans, HoVLETokenizer tokenizer) {
        List<int[]> idParts = new ArrayList<>();
        List<Boolean> targetParts = new ArrayList<>();
        StringBuilder promptRun = new StringBuilder();
        for (Span span : spans) {
            if (!span.target()) {
                promptRun.append(span.text());
                continue;
            }
            flushPrompt(promptRun, idParts, targetParts, tokenizer);
            idParts.add(tokenizer.encode(span.text(), false));
            targetParts.add(true);
        }
        flushPrompt(promptRun, idParts, targetParts, tokenizer);
        int length = idParts.stream().mapToInt(p -> p.length).sum();
        int[] ids = new int[length];
        int[] labels = new int[length];
        int at = 0;
        for (int i = 0; i < idParts.size(); i++) {
            for (int id : idParts.get(i)) {
                ids[at] = id;
                labels[at++] = targetParts.get(i) ? id : LabelledSequence.IGNORE_INDEX;
            }
        }
        return new LabelledSequence(ids, labels, null);
    }

    private static void flushPrompt(StringBuilder run, List<int[]> idParts, List<Boolean> targetParts,
            HoVLETokenizer tokenizer) {
        if (run.length() == 0) {
            return;
        }
        // Only the sequence start gets BOS, as tokenizing the whole prompt would.
        idParts.add(idParts.isEmpty() ? tokenizer.encode(run.toString()) : tokenizer.encode(run.toString(), false));
        targetParts.add(false);
        run.setLength(0);
    }

    /** Replaces the first remaining {@code <image>} of the spans, once per image, by that image's token block. */
    private static List<Span> expandImages(List<Span> spans, List<Integer> tilesPerImage, int perTile) {
        List<Span> out = new ArrayList<>(spans);
        for (int image = 0; image < tilesPerImage.size(); image++) {
            String block = IMG_START + IMG_CONTEXT.repeat(perTile * tilesPerImage.get(image)) + IMG_END;
            int spanIndex = firstSpanWithPlaceholder(out);
            if (spanIndex < 0) {
                throw new IllegalArgumentException("the conversation has " + image + " " + IMAGE_PLACEHOLDER
                        + " placeholder(s) for " + tilesPerImage.size() + " images");
            }
            Span span = out.get(spanIndex);
            int at = span.text().indexOf(IMAGE_PLACEHOLDER);
            out.set(spanIndex, span.withText(span.text().substring(0, at) + block
                    + span.text().substring(at + IMAGE_PLACEHOLDER.length())));
        }
        return out;
    }

    private static int firstSpanWithPlaceholder(List<Span> spans) {
        for (int i = 0; i < spans.size(); i++) {
            if (spans.get(i).text().contains(IMAGE_PLACEHOLDER)) {
                return i;
            }
        }
        return -1;
    }

    private static String join(List<Span> spans) {
        StringBuilder text = new StringBuilder();
        spans.forEach(span -> text.append(span.text()));
        return text.toString();
    }

    /** Builder of {@link PromptBuilder}: {@code setX} for required, {@code optX} for optional arguments. */
    public static final class Builder {
        private ChatTemplate template;
        private String systemMessage;
        private int numImageToken;
        private double hdDownsampleRatio = Double.NaN;

        Builder() {
        }

        /** The conversation template, usually {@code ChatTemplate.named(config.template())}. */
        public Builder setTemplate(ChatTemplate template) {
            this.template = Objects.requireNonNull(template, "template");
            return this;
        }

        /** Context tokens per tile: {@code (image_size / patch_size)² × downsample_ratio²} (256 for HoVLE). */
        public Builder setNumImageToken(int numImageToken) {
            this.numImageToken = numImageToken;
            return this;
        }

        /** A system message other than the template's default (the official model attribute {@code system_message}). */
        public Builder optSystemMessage(String systemMessage) {
            this.systemMessage = Objects.requireNonNull(systemMessage, "systemMessage");
            return this;
        }

        /** Also build the HoVLE-HD prompt ({@code pixel_shuffle_loc = "post"}) for this {@code downsample_ratio}. */
        public Builder optHdDownsampleRatio(double downsampleRatio) {
            this.hdDownsampleRatio = downsampleRatio;
            return this;
        }

        public PromptBuilder build() {
            sanityCheck();
            int hd = Double.isNaN(hdDownsampleRatio) ? 0
                    : (int) Math.floor(numImageToken / (hdDownsampleRatio * hdDownsampleRatio));
            return new PromptBuilder(template,
                    systemMessage != null ? systemMessage : template.defaultSystemMessage(), numImageToken, hd);
        }

        private void sanityCheck() {
            if (template == null) {
                throw new IllegalStateException("no chat template: call setTemplate(ChatTemplate.named(name)) with "
                        + "config.json's \"template\"");
            }
            if (numImageToken <= 0) {
                throw new IllegalStateException("no image token count: call setNumImageToken with "
                        + "(image_size / patch_size)^2 * downsample_ratio^2, got " + numImageToken);
            }
            if (!Double.isNaN(hdDownsampleRatio) && !(hdDownsampleRatio > 0 && hdDownsampleRatio <= 1)) {
                throw new IllegalStateException("HD downsample ratio must lie in (0, 1], got " + hdDownsampleRatio);
            }
        }
    }
}
