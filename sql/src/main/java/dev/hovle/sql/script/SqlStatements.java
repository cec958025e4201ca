package dev.hovle.sql.script;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at the semicolons that end them: not those inside 'string literals' (with ''
 * escapes), `quoted identifiers`, "quoted identifiers", -- line comments or block comments. Comments are kept in
 * the statement text (Flink's parser skips them); empty statements are dropped.
 */
public final class SqlStatements {
    private SqlStatements() {}

    /** The statements of {@code script}, in order, without their terminating semicolons. */
    public static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            int end;
            if (c == '\'' || c == '`' || c == '"') {
                end = closingQuote(script, i, c);
            } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int newline = script.indexOf('\n', i);
                end = newline < 0 ? n : newline + 1;
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int close = script.indexOf("*/", i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("a block comment opened at line " + line(script, i)
                            + " is never closed");
                }
                end = close + 2;
            } else if (c == ';') {
                add(statements, current);
                current.setLength(0);
                i++;
                continue;
            } else {
                end = i + 1;
            }
            current.append(script, i, end);
            i = end;
        }
        add(statements, current);
        return statements;
    }

    /** The index after the quote that closes the one at {@code open}; a doubled quote is an escaped one. */
    private static int closingQuote(String script, int open, char quote) {
        int i = open + 1;
        while (i < script.length()) {
            if (script.charAt(i) == quote) {
                if (i + 1 < script.length() && script.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("a " + quote + " quote opened at line " + line(script, open)
                + " is never closed");
    }

    private static void add(List<String> statements, StringBuilder statement) {
        if (!onlyComments(statement.toString())) {
            statements.add(statement.toString().strip());
        }
    }

    /** Whether {@code text} holds nothing but white space and comments. */
    private static boolean onlyComments(String text) {
        String rest = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ");
        return rest.isBlank();
    }

    private static int line(String script, int index) {
        return (int) script.substring(0, index).chars().filter(ch -> ch == '\n').count() + 1;
    }
}
