package dev.hovle.sql.model;

import java.io.Serializable;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * What each column of a model's INPUT and OUTPUT means, by name: the model reads an {@code image} (BYTES) and/or an
 * {@code image_uri} (STRING) and an optional {@code prompt} (STRING), and writes {@code answer} plus any of {@code
 * model_version}, {@code finish_reason}, {@code prompt_tokens}, {@code generated_tokens}, {@code error}, {@code
 * error_type}. Checked once when the model is created or planned, so a typo is an error naming the column.
 */
final class ModelColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Input columns the model reads. */
    enum In {
        IMAGE("image", LogicalTypeFamily.BINARY_STRING, "BYTES: the encoded image file"),
        IMAGE_URI("image_uri", LogicalTypeFamily.CHARACTER_STRING, "STRING: where to read the image"),
        PROMPT("prompt", LogicalTypeFamily.CHARACTER_STRING, "STRING: the question; NULL asks for a caption");

        final String column;
        final LogicalTypeFamily family;
        final String meaning;

        In(String column, LogicalTypeFamily family, String meaning) {
            this.column = column;
            this.family = family;
            this.meaning = meaning;
        }
    }

    /** Output columns the model writes. */
    enum Out {
        ANSWER("answer", LogicalTypeFamily.CHARACTER_STRING, "STRING: the caption or answer"),
        MODEL_VERSION("model_version", LogicalTypeFamily.CHARACTER_STRING, "STRING: the version that served the row"),
        FINISH_REASON("finish_reason", LogicalTypeFamily.CHARACTER_STRING, "STRING: STOP, LENGTH, CANCELLED or DEADLINE"),
        PROMPT_TOKENS("prompt_tokens", LogicalTypeFamily.INTEGER_NUMERIC, "INT: tokens in the prompt"),
        GENERATED_TOKENS("generated_tokens", LogicalTypeFamily.INTEGER_NUMERIC, "INT: tokens generated"),
        ERROR("error", LogicalTypeFamily.CHARACTER_STRING, "STRING: why the row has no answer"),
        ERROR_TYPE("error_type", LogicalTypeFamily.CHARACTER_STRING, "STRING: the error's kind, e.g. CORRUPT_IMAGE");

        final String column;
        final LogicalTypeFamily family;
        final String meaning;

        Out(String column, LogicalTypeFamily family, String meaning) {
            this.column = column;
            this.family = family;
            this.meaning = meaning;
        }
    }

    private final In[] inputs;
    private final Out[] outputs;

    private ModelColumns(In[] inputs, Out[] outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * The roles of {@code input}'s and {@code output}'s columns.
     *
     * @throws IllegalArgumentException naming the column that is unknown, mistyped, repeated or missing
     */
    static ModelColumns of(ResolvedSchema input, ResolvedSchema output, OnError onError) {
        In[] in = roles(input.getColumns(), In.values(), i -> i.column, i -> i.family, i -> i.meaning, "INPUT");
        Out[] out = roles(output.getColumns(), Out.values(), o -> o.column, o -> o.family, o -> o.meaning, "OUTPUT");
        List<In> ins = Arrays.asList(in);
        if (!ins.contains(In.IMAGE) && !ins.contains(In.IMAGE_URI)) {
            throw new IllegalArgumentException("the model's INPUT needs an image column: image BYTES (the encoded "
                    + "file) or image_uri STRING (where to read it), or both");
        }
        List<Out> outs = Arrays.asList(out);
        if (!outs.contains(Out.ANSWER)) {
            throw new IllegalArgumentException("the model's OUTPUT needs an answer STRING column");
        }
        if (onError == OnError.ERROR_ROW && !outs.contains(Out.ERROR)) {
            throw new IllegalArgumentException("with 'on-error' = 'error-row' the model's OUTPUT needs an error STRING "
                    + "column for the rows it cannot serve (or set 'on-error' = 'fail')");
        }
        return new ModelColumns(in, out);
    }

    @SuppressWarnings("unchecked")
    private static <R extends Enum<R>> R[] roles(List<Column> columns, R[] known, Function<R, String> name,
            Function<R, LogicalTypeFamily> family, Function<R, String> meaning, String clause) {
        List<R> found = new ArrayList<>();
        EnumSet<R> seen = EnumSet.noneOf(known[0].getDeclaringClass());
        for (Column column : columns) {
            R role = Arrays.stream(known).filter(r -> name.apply(r).equalsIgnoreCase(column.getName())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the model's " + clause + " column "
                            + column.getName() + " means nothing to the hovle provider; its " + clause + " columns "
                            + "are " + Arrays.stream(known).map(r -> name.apply(r) + " " + meaning.apply(r))
                                    .collect(Collectors.joining("; "))));
            LogicalType type = column.getDataType().getLogicalType();
            if (!type.is(family.apply(role))) {
                throw new IllegalArgumentException("the model's " + clause + " column " + column.getName() + " is "
                        + type.asSummaryString() + "; it must be " + meaning.apply(role).split(":")[0]);
            }
            if (!seen.add(role)) {
                throw new IllegalArgumentException("the model's " + clause + " names " + name.apply(role) + " twice");
            }
            found.add(role);
        }
        return found.toArray((R[]) Array.newInstance(known[0].getDeclaringClass(), 0));
    }

    /** One input row, its values copied out of Flink's (possibly reused) row. */
    RowInput read(RowData row) {
        byte[] image = null;
        String uri = null;
        String prompt = null;
        for (int i = 0; i < inputs.length; i++) {
            if (row.isNullAt(i)) {
                continue;
            }
            switch (inputs[i]) {
                case IMAGE -> image = row.getBinary(i).clone();
                case IMAGE_URI -> uri = row.getString(i).toString();
                case PROMPT -> prompt = row.getString(i).toString();
            }
        }
        return new RowInput(image, uri, prompt == null || prompt.isBlank() ? null : prompt);
    }

    /** The output row of a served input. */
    RowData answer(String answer, String modelVersion, String finishReason, int promptTokens, int generatedTokens) {
        GenericRowData row = new GenericRowData(outputs.length);
        for (int i = 0; i < outputs.length; i++) {
            row.setField(i, switch (outputs[i]) {
                case ANSWER -> StringData.fromString(answer);
                case MODEL_VERSION -> StringData.fromString(modelVersion);
                case FINISH_REASON -> StringData.fromString(finishReason);
                case PROMPT_TOKENS -> promptTokens;
                case GENERATED_TOKENS -> generatedTokens;
                case ERROR, ERROR_TYPE -> null;
            });
        }
        return row;
    }

    /** The output row of an input the model could not serve. */
    RowData error(String errorType, String message, String modelVersion) {
        GenericRowData row = new GenericRowData(outputs.length);
        for (int i = 0; i < outputs.length; i++) {
            row.setField(i, switch (outputs[i]) {
                case ERROR -> StringData.fromString(message);
                case ERROR_TYPE -> StringData.fromString(errorType);
                case MODEL_VERSION -> StringData.fromString(modelVersion);
                default -> null;
            });
        }
        return row;
    }

    /** The values of one input row: image and/or uri, prompt null for a caption. */
    record RowInput(byte[] image, String uri, String prompt) {}
}
