package dev.hovle.model.config;

import java.util.Locale;

/** Where the pixel-shuffle projector sits relative to the holistic layers. */
public enum PixelShuffleLocation {
    /** HoVLE: image patches are shuffled and projected before the holistic layers (256 tokens per 448 tile). */
    PRE,
    /** HoVLE-HD: the holistic layers see every patch (4x more image tokens); shuffle and projection come after. */
    POST;

    static PixelShuffleLocation parse(String value, String key) {
        return switch (value) {
            case "pre" -> PRE;
            case "post" -> POST;
            default -> throw new ConfigException(key + ": unknown pixel_shuffle_loc '" + value + "' (expected pre or post)");
        };
    }

    /** The spelling used in {@code config.json}. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
