package dev.hovle.sql.script;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.hovle.sql.model.ModelCheckListenerFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.config.TableConfigOptions;

/**
 * Runs a SQL script on a {@link TableEnvironment} as Flink's SQL client would: statement by statement, {@code SET
 * 'key' = 'value'} changing the session's configuration, query results printed as they arrive, and every job an
 * INSERT (or CREATE TABLE ... AS SELECT) submits kept running until it ends. {@code ${name}} placeholders are replaced
 * from the given variables before a statement runs; an unknown one is an error naming it.
 *
 * <p>{@code TableEnvironment.executeSql} takes one statement and does not know SET, hence this runner.
 */
public final class SqlScript {
    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'\\s*");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9_.-]*)}");

    private final List<String> statements;
    private final Map<String, String> variables;

    private SqlScript(List<String> statements, Map<String, String> variables) {
        this.statements = statements;
        this.variables = variables;
    }

    /** The statements of {@code script}, with {@code variables} for its placeholders. */
    public static SqlScript parse(String script, Map<String, String> variables) {
        return new SqlScript(SqlStatements.split(script), Map.copyOf(variables));
    }

    /**
     * A streaming table environment (local unless {@code config} names a cluster) in which {@code CREATE MODEL}
     * checks hovle models ({@link ModelCheckListenerFactory}) as well as any listeners {@code config} names.
     */
    public static TableEnvironment environment(Configuration config) {
        Configuration conf = new Configuration(config);
        List<String> listeners = new ArrayList<>(conf.getOptional(
                TableConfigOptions.TABLE_CATALOG_MODIFICATION_LISTENERS).orElse(List.of()));
        if (!listeners.contains(ModelCheckListenerFactory.IDENTIFIER)) {
            listeners.add(ModelCheckListenerFactory.IDENTIFIER);
        }
        conf.set(TableConfigOptions.TABLE_CATALOG_MODIFICATION_LISTENERS, listeners);
        return TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf)
                .build());
    }

    /** The statements, placeholders replaced. */
    public List<String> statements() {
        List<String> resolved = new ArrayList<>();
        statements.forEach(s -> resolved.add(resolve(s)));
        return resolved;
    }

    /**
     * Runs every statement on {@code tables}, printing what each did to {@code out} (a query's rows as they come, until
     * it ends), and returns the jobs that INSERT or CREATE TABLE ... AS SELECT statements submitted, still running
     * when they read streams: wait on them with {@link TableResult#await()}.
     *
     * @throws SqlScriptException naming the statement (by number and first line) that failed
     */
    public List<TableResult> run(TableEnvironment tables, PrintStream out) {
        List<TableResult> jobs = new ArrayList<>();
        List<String> resolved = statements();
        for (int i = 0; i < resolved.size(); i++) {
            String statement = resolved.get(i);
            try {
                Matcher set = SET.matcher(statement);
                if (set.matches()) {
                    String key = set.group(1).replace("''", "'");
                    tables.getConfig().set(key, set.group(2).replace("''", "'"));
                    out.println("[" + (i + 1) + "] SET " + key);
                    continue;
                }
                TableResult result = tables.executeSql(statement);
                if (result.getJobClient().isPresent() && isInsert(statement)) {
                    jobs.add(result);
                    out.println("[" + (i + 1) + "] job " + result.getJobClient().get().getJobID() + " submitted: "
                            + firstLine(statement));
                } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                    result.print();
                } else {
                    out.println("[" + (i + 1) + "] OK: " + firstLine(statement));
                }
            } catch (RuntimeException e) {
                throw new SqlScriptException("statement " + (i + 1) + " (" + firstLine(statement) + ") failed: "
                        + rootMessage(e), e);
            }
        }
        return jobs;
    }

    private String resolve(String statement) {
        Matcher m = VARIABLE.matcher(statement);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("the script uses ${" + m.group(1) + "}, which is not defined; "
                        + "defined: " + variables.keySet().stream().sorted().toList());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isInsert(String statement) {
        String s = statement.stripLeading().toUpperCase();
        return s.startsWith("INSERT") || s.startsWith("CREATE");
    }

    private static String firstLine(String statement) {
        String line = statement.lines().filter(l -> !l.isBlank() && !l.strip().startsWith("--")).findFirst()
                .orElse(statement).strip();
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    /** The innermost message: Flink wraps the reason a statement failed in several layers. */
    private static String rootMessage(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** A statement of the script failed. */
    public static final class SqlScriptException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlScriptException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
