package dev.hovle.model.generate;

/** Receives generated tokens as they are produced, on the engine's thread: keep it quick. */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = token -> {};

    void onToken(int token);
}
