package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier on case folders the public set lacks: a chat request with history, dynamic NTK while decoding. */
class DerivedGoldenCaseTest {

    @TempDir
    Path temp;

    @Test
    void verifiesACaseWhosePromptCarriesHistory() throws Exception {
        List<GoldenRow> rows = GoldenVerifier.verify(DerivedGoldenCases.withHistory(temp));

        rows.forEach(r -> System.out.println(r.format()));
        assertThat(rows).allSatisfy(r -> assertThat(r.passed()).as(r.format()).isTrue());
        assertThat(rows).extracting(GoldenRow::quantity).contains("prompt (template)", "input_ids (from prompt)",
                "train_input_ids (from answer)", "train_labels", "greedy_last_logits (KV cache)", "train_loss");
    }

    @Test
    void failsAHistoryCaseWhenCaseJsonLeavesTheHistoryOut() throws Exception {
        Path dir = DerivedGoldenCases.withHistory(temp);
        ObjectMapper json = new ObjectMapper();
        ObjectNode caseJson = (ObjectNode) json.readTree(dir.resolve("case.json").toFile());
        caseJson.remove("history");
        json.writeValue(dir.resolve("case.json").toFile(), caseJson);

        List<GoldenRow> failed = GoldenVerifier.verify(dir).stream().filter(r -> !r.passed()).toList();

        assertThat(failed).extracting(GoldenRow::quantity).containsExactly("prompt (template)",
                "input_ids (from prompt)", "train_input_ids (from answer)", "train_labels");
    }

    @Test
    void verifiesCachedGreedyDecodingPastTheNtkLimit() throws Exception {
        List<GoldenRow> rows = GoldenVerifier.verify(DerivedGoldenCases.withDynamicNtk(temp));

        rows.forEach(r -> System.out.println(r.format()));
        assertThat(rows).allSatisfy(r -> assertThat(r.passed()).as(r.format()).isTrue());
        assertThat(rows).extracting(GoldenRow::quantity).contains("greedy_tokens (KV cache)",
                "greedy_last_logits (KV cache)");
    }
}
