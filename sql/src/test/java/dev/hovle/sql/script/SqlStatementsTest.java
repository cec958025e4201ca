package dev.hovle.sql.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        String script = """
                -- a comment; not a statement end
                SET 'table.exec.async-ml-predict.timeout' = '1 min';
                CREATE TABLE t (`a;b` STRING, "c;d" INT) WITH ('k' = 'it''s; fine');
                /* block; comment */ SELECT 1;
                ;
                -- trailing comment only
                """;

        assertThat(SqlStatements.split(script)).containsExactly(
                "-- a comment; not a statement end\nSET 'table.exec.async-ml-predict.timeout' = '1 min'",
                "CREATE TABLE t (`a;b` STRING, \"c;d\" INT) WITH ('k' = 'it''s; fine')",
                "/* block; comment */ SELECT 1");
    }

    @Test
    void keepsALastStatementWithoutSemicolon() {
        assertThat(SqlStatements.split("SELECT 1;\nSELECT 2")).containsExactly("SELECT 1", "SELECT 2");
    }

    @Test
    void refusesAnUnclosedQuoteNamingItsLine() {
        assertThatThrownBy(() -> SqlStatements.split("SELECT 1;\nSELECT 'oops;"))
                .hasMessageContaining("' quote opened at line 2 is never closed");
    }

    @Test
    void fillsPlaceholdersAndNamesAnUndefinedOne() {
        SqlScript script = SqlScript.parse("SELECT '${a}';", Map.of("a", "x$1"));
        assertThat(script.statements()).containsExactly("SELECT 'x$1'");

        assertThatThrownBy(() -> SqlScript.parse("SELECT '${b}'", Map.of("a", "1")).statements())
                .hasMessageContaining("${b}, which is not defined; defined: [a]");
    }
}
