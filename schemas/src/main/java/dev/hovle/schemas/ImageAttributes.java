package dev.hovle.schemas;

/**
 * Attribute names of {@link ImageEvent#getAttributes()} that HoVLE Stream's own tools understand. The jobs ignore
 * them (the model never sees attributes); readers of the topics use them.
 */
public final class ImageAttributes {
    /**
     * The answer a question about the picture should get, set by producers of labelled questions (the local
     * {@code shapes} stream): the web page marks the committed answers to {@link #QUESTION} right or wrong.
     */
    public static final String EXPECTED_ANSWER = "expected-answer";
    /** The question {@link #EXPECTED_ANSWER} answers; without it, every QA answer about the picture is judged. */
    public static final String QUESTION = "question";

    private ImageAttributes() {}
}
