package dev.hovle.pipeline.inference;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

/**
 * The configuration reference as a Markdown table, generated from the {@link ConfigOption} constants of an options
 * class: {@code deploy/configuration.md} holds it, and a test keeps the two equal.
 */
public final class ConfigurationReference {
    private ConfigurationReference() {}

    /** The table of every option of {@code optionsClass}, in declaration order. */
    public static String table(Class<?> optionsClass) {
        StringBuilder out = new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
        for (Row row : rows(optionsClass)) {
            out.append("| `").append(row.key()).append("` | ").append(row.type()).append(" | ").append(row.defaultValue())
                    .append(" | ").append(row.description().replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }

    private record Row(String key, String type, String defaultValue, String description) {}

    private static List<Row> rows(Class<?> optionsClass) {
        List<Row> rows = new ArrayList<>();
        HtmlFormatter formatter = new HtmlFormatter();
        for (Field field : optionsClass.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != ConfigOption.class) {
                continue;
            }
            ConfigOption<?> option;
            try {
                option = (ConfigOption<?>) field.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("option " + field.getName() + " is not public", e);
            }
            Type type = ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
            String typeName = type instanceof Class<?> c && c.isEnum() ? "enum: " + String.join(", ", names(c))
                    : type instanceof Class<?> c ? c.getSimpleName()
                    : "List of " + ((Class<?>) ((ParameterizedType) type).getActualTypeArguments()[0]).getSimpleName();
            rows.add(new Row(option.key(), typeName, defaultOf(option), formatter.format(option.description())));
        }
        return rows;
    }

    private static String defaultOf(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        Object value = option.defaultValue();
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "(empty)" : "`" + list.stream().map(String::valueOf)
                    .collect(Collectors.joining(";")) + "`";
        }
        return "`" + (value instanceof Duration d ? TimeUtils.formatWithHighestUnit(d) : String.valueOf(value)) + "`";
    }

    private static List<String> names(Class<?> enumType) {
        List<String> names = new ArrayList<>();
        for (Object constant : enumType.getEnumConstants()) {
            names.add(((Enum<?>) constant).name());
        }
        return names;
    }
}
