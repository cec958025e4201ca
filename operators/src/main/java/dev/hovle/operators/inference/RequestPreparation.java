package dev.hovle.operators.inference;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.PromptTooLongException;
import dev.hovle.model.prepare.PreparedPrompt;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.images.ImageReadException;
import dev.hovle.operators.images.ImageReader;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.VlmRequest;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request with its images into what the engine runs: reads images given by URI (within {@link ImageLimits}),
 * decodes and tiles them, applies the chat template, tokenizes, resolves decoding settings and checks the context
 * length. Bad input is a {@link Refused} outcome naming what was wrong, never an exception. Thread-safe: the
 * DataStream job's {@link PrepareFunction} and the Flink SQL model provider both prepare through it.
 *
 * <p>Lifecycle: {@link #open} loads the snapshot's config and tokenizer, {@link #close} frees them.
 */
public final class RequestPreparation implements AutoCloseable {
    private final Settings settings;
    private final HoVLETokenizer tokenizer;
    private final PromptPreparer preparer;
    private final ImageReader imageReader;
    private final int contextLength;

    private RequestPreparation(Settings settings, HoVLETokenizer tokenizer, PromptPreparer preparer,
            int contextLength) {
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.preparer = preparer;
        this.contextLength = contextLength;
        this.imageReader = new ImageReader(settings.imageLimits());
    }

    /** Loads the config and tokenizer of {@code settings.modelDir()}. */
    public static RequestPreparation open(Settings settings) throws IOException {
        HoVLEConfig config = HoVLEConfig.read(Path.of(settings.modelDir()));
        HoVLETokenizer tokenizer = HoVLETokenizer.load(Path.of(settings.modelDir()));
        PromptPreparer.Builder b = PromptPreparer.builder().setConfig(config).setTokenizer(tokenizer)
                .optPixelLimit(settings.pixelLimit());
        if (settings.maxTiles() != null) {
            b.optMaxTiles(settings.maxTiles());
        }
        return new RequestPreparation(settings, tokenizer, b.build(), config.maxContextLength());
    }

    /** The snapshot's tokenizer, e.g. to decode generated tokens. */
    public HoVLETokenizer tokenizer() {
        return tokenizer;
    }

    /** The request ready for the engine, or why it cannot be served. */
    public Outcome prepare(WorkItem item) {
        long started = System.nanoTime();
        VlmRequest r = item.request();
        List<byte[]> images = new ArrayList<>();
        for (ImageInput image : item.images()) {
            if (image.data() != null) {
                images.add(image.data());
                continue;
            }
            try {
                images.add(imageReader.read(image.uri()));
            } catch (ImageReadException e) {
                return new Refused(errorType(e.reason()), image.label() + ": " + e.getMessage());
            }
        }
        PreparedPrompt prompt;
        try {
            prompt = preparer.prepare(images, VlmRequests.question(r, settings.captionPrompt(), images.size()),
                    VlmRequests.history(r));
        } catch (InvalidImageException e) {
            return new Refused(DeadLetters.errorType(e.reason()), "request " + r.getRequestId() + ": " + e.getMessage());
        } catch (PromptTooLongException e) {
            return new Refused(ErrorType.PROMPT_TOO_LONG, "request " + r.getRequestId() + ": " + e.getMessage());
        }
        GenerationParams params = VlmRequests.generationParams(r, settings.maxNewTokens(), preparer);
        if (prompt.inputIds().length + params.maxNewTokens() > contextLength) {
            return new Refused(ErrorType.PROMPT_TOO_LONG, "request " + r.getRequestId() + ": prompt of "
                    + prompt.inputIds().length + " tokens plus " + params.maxNewTokens() + " new tokens exceeds the "
                    + "context length of " + contextLength);
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        RequestMeta meta = new RequestMeta(r.getRequestId(), r.getTask(), List.copyOf(r.getImageIds()),
                r.getEventTime().toEpochMilli(), item.readyMillis(), item.source());
        Long deadline = r.getDeadline() == null ? null : r.getDeadline().toEpochMilli();
        return new Prepared(new PreparedRequest(meta, prompt.inputIds(), prompt.holisticIds(), prompt.pixels(), params,
                deadline, tookMillis, System.currentTimeMillis()));
    }

    private static ErrorType errorType(ImageReadException.Reason reason) {
        return switch (reason) {
            case REFUSED -> ErrorType.IMAGE_URI_REFUSED;
            case TOO_LARGE -> ErrorType.IMAGE_TOO_LARGE;
            case UNREADABLE -> ErrorType.IMAGE_MISSING;
        };
    }

    @Override
    public void close() {
        tokenizer.close();
        imageReader.close();
    }

    /**
     * How requests are prepared.
     *
     * @param modelDir the snapshot whose config and tokenizer to use (the one the engine serves)
     * @param captionPrompt the question a CAPTION without a prompt asks
     * @param maxNewTokens new tokens for requests that do not say
     * @param maxTiles most tiles per image, or null for the model's max_dynamic_patch
     * @param pixelLimit largest image in pixels, checked before decoding
     * @param imageLimits which URIs images may be read from, how large and how slow a read may be
     */
    public record Settings(String modelDir, String captionPrompt, int maxNewTokens, Integer maxTiles, long pixelLimit,
            ImageLimits imageLimits) implements Serializable {
        public Settings {
            if (modelDir == null) {
                throw new IllegalArgumentException("preparation needs the snapshot directory the engine serves");
            }
            if (maxNewTokens < 1 || pixelLimit < 1 || (maxTiles != null && maxTiles < 1)) {
                throw new IllegalArgumentException("max new tokens and pixel limit and max tiles must be "
                        + "positive; found " + maxNewTokens + ", " + pixelLimit + ", " + maxTiles);
            }
        }
    }

    /** What preparing one request gave. */
    public sealed interface Outcome permits Prepared, Refused {}

    /** The request, ready for the engine. */
    public record Prepared(PreparedRequest request) implements Outcome {}

    /** Why the request cannot be served: its dead letter's type and message (names what was wrong, never content). */
    public record Refused(ErrorType type, String message) implements Outcome {}
}
