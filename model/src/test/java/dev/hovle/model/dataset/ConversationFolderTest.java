package dev.hovle.model.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.prompt.Turn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationFolderTest {
    @TempDir
    Path dir;

    @Test
    void readsLlavaConversationsWithOneOrSeveralImages() throws Exception {
        ShapesDataset shapes = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).build();
        Files.write(dir.resolve("a.png"), shapes.get(0).images().get(0));
        Files.write(dir.resolve("b.png"), shapes.get(1).images().get(0));
        Files.writeString(dir.resolve(ConversationFolder.TRAIN_FILE), String.join("\n",
                "{\"id\": \"one\", \"image\": \"a.png\", \"conversations\": [{\"from\": \"human\", \"value\": "
                        + "\"<image>\\nWhat is it?\"}, {\"from\": \"gpt\", \"value\": \"A shape.\"}, {\"from\": \"human\","
                        + " \"value\": \"Sure?\"}, {\"from\": \"gpt\", \"value\": \"Yes.\"}]}",
                "",
                "{\"id\": \"two\", \"image\": [\"a.png\", \"b.png\"], \"conversations\": [{\"from\": \"user\", "
                        + "\"value\": \"<image>\\n<image>\\nSame?\"}, {\"from\": \"assistant\", \"value\": \"No.\"}]}",
                "{\"id\": \"text\", \"conversations\": [{\"from\": \"human\", \"value\": \"Hi\"}, {\"from\": \"gpt\","
                        + " \"value\": \"Hello.\"}]}"));
        Files.writeString(dir.resolve(ConversationFolder.EVAL_FILE), "{\"id\": \"e\", \"image\": \"b.png\", "
                + "\"conversations\": [{\"from\": \"human\", \"value\": \"Describe the image in one sentence.\"}, "
                + "{\"from\": \"gpt\", \"value\": \"a shape\"}]}\n");

        ConversationFolder folder = ConversationFolder.open(dir);

        assertThat(folder.train().size()).isEqualTo(3);
        Sample one = folder.train().get(0);
        assertThat(one.id()).isEqualTo("one");
        assertThat(one.images()).hasSize(1);
        assertThat(one.images().get(0)).isEqualTo(Files.readAllBytes(dir.resolve("a.png")));
        assertThat(one.turns()).containsExactly(new Turn("<image>\nWhat is it?", "A shape."), new Turn("Sure?", "Yes."));
        assertThat(folder.train().get(1).images()).hasSize(2);
        assertThat(folder.train().get(2).images()).isEmpty();
        List<EvalQuestion> questions = folder.train().questions(0);
        assertThat(questions.get(1).history()).containsExactly(one.turns().get(0));
        assertThat(folder.eval().questions(0).get(0).caption()).isTrue();
    }

    @Test
    void holdsOutEveryTwentiethConversationWithoutSharingImages() throws Exception {
        ShapesDataset shapes = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).build();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String image = "img" + (i % 30) + ".png"; // lines 30..39 reuse the images of lines 0..9
            if (!Files.exists(dir.resolve(image))) {
                Files.write(dir.resolve(image), shapes.get(i).images().get(0));
            }
            lines.add("{\"id\": \"s" + i + "\", \"image\": \"" + image + "\", \"conversations\": [{\"from\": \"human\","
                    + " \"value\": \"Q\"}, {\"from\": \"gpt\", \"value\": \"A\"}]}");
        }
        Files.write(dir.resolve(ConversationFolder.TRAIN_FILE), lines);

        ConversationFolder folder = ConversationFolder.open(dir);

        assertThat(folder.eval().size()).isEqualTo(2); // lines 19 and 39
        assertThat(folder.eval().get(1).id()).isEqualTo("s39");
        List<String> trainIds = new ArrayList<>();
        for (int i = 0; i < folder.train().size(); i++) {
            trainIds.add(folder.train().get(i).id());
        }
        assertThat(trainIds).hasSize(37).doesNotContain("s19", "s39", "s9"); // s9 shares img9 with s39
    }

    @Test
    void namesTheLineOfABadConversation() throws IOException {
        Files.writeString(dir.resolve(ConversationFolder.TRAIN_FILE), "{\"id\": \"x\", \"conversations\": "
                + "[{\"from\": \"gpt\", \"value\": \"A\"}, {\"from\": \"human\", \"value\": \"Q\"}]}\n");
        assertThatThrownBy(() -> ConversationFolder.open(dir)).hasMessageContaining("train.jsonl line 1")
                .hasMessageContaining("expected human");
        Files.writeString(dir.resolve(ConversationFolder.TRAIN_FILE), "{\"id\": \"x\", \"image\": \"missing.png\", "
                + "\"conversations\": [{\"from\": \"human\", \"value\": \"Q\"}, {\"from\": \"gpt\", \"value\": \"A\"}]}\n");
        assertThatThrownBy(() -> ConversationFolder.open(dir)).hasMessageContaining("missing.png not found");
    }
}
