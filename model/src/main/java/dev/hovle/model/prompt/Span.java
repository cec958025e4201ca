package dev.hovle.model.prompt;

/**
 * A piece of a rendered conversation; {@code target} marks assistant answers and their end-of-turn separator, the
 * tokens a training loss is computed on.
 */
record Span(String text, boolean target) {

    static Span prompt(String text) {
        return new Span(text, false);
    }

    static Span target(String text) {
        return new Span(text, true);
    }

    Span withText(String newText) {
        return new Span(newText, target);
    }
}
