package dev.hovle.pipeline.job;

/** What a job builder still lacks, named by the setters that would supply it, for one clear error. */
public final class RequiredParts {
    private final StringBuilder missing = new StringBuilder();

    /** Notes {@code setter} as missing when {@code value} is null. */
    public RequiredParts require(Object value, String setter) {
        if (value == null) {
            missing.append(' ').append(setter);
        }
        return this;
    }

    /** Throws, naming every missing part of {@code job}, when any is missing; {@code hint} says where to get them. */
    public void check(String job, String hint) {
        if (missing.length() > 0) {
            throw new IllegalStateException(job + " needs" + missing + "; " + hint);
        }
    }
}
