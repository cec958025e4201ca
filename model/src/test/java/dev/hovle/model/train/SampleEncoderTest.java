package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.prepare.PreparedPrompt;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleEncoderTest {

    @Test
    void labelsOnlyAnswersAndTheirEndOfTurn() throws Exception {
        try (HoVLEModel model = HoVLEModel.load(TrainingFixtures.tinySnapshot());
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot())) {
            Sample sample = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optWholeConversation(true).build()
                    .get(0);
            assertThat(sample.turns()).hasSizeGreaterThan(1);
            EncodedSample encoded = SampleEncoder.forModel(model.config(), tokenizer).encode(sample);

            StringBuilder labelled = new StringBuilder();
            int imEnd = tokenizer.tokenId("<|im_end|>");
            int context = model.config().embedding().imgContextTokenId();
            int contexts = 0;
            for (int t = 0; t < encoded.labels().length; t++) {
                if (encoded.inputIds()[t] == context) {
                    contexts++;
                }
                if (encoded.labels()[t] != Losses.IGNORE) {
                    assertThat(encoded.labels()[t]).isEqualTo(encoded.inputIds()[t]);
                    labelled.append(encoded.labels()[t] == imEnd ? "|" : tokenizer.decode(new int[] {encoded.labels()[t]}));
                }
            }
            String expected = String.join("|", sample.turns().stream().map(Turn::answer).toList()) + "|";
            assertThat(labelled.toString()).isEqualTo(expected);
            assertThat(contexts).isEqualTo(model.config().tokensPerTile() * encoded.tiles());
            assertThat(encoded.pixels()).hasSize(encoded.tiles() * 3 * encoded.tileSize() * encoded.tileSize());
        }
    }

    @Test
    void startsWithExactlyThePromptInferenceBuilds() throws Exception {
        try (HoVLEModel model = HoVLEModel.load(TrainingFixtures.tinySnapshot());
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot())) {
            Sample sample = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).build().get(3);
            Turn first = sample.turns().get(0);
            EncodedSample encoded = SampleEncoder.forModel(model.config(), tokenizer)
                    .encode(new Sample("one", sample.images(), List.of(first)));
            PreparedPrompt prompt = PromptPreparer.builder().setConfig(model.config()).setTokenizer(tokenizer).build()
                    .prepare(sample.images(), first.question(), List.of());

            int[] promptIds = prompt.inputIds();
            assertThat(Arrays.copyOf(encoded.inputIds(), promptIds.length)).isEqualTo(promptIds);
            assertThat(encoded.pixels()).isEqualTo(prompt.pixels().values());
            int[] answer = Arrays.copyOfRange(encoded.inputIds(), promptIds.length, encoded.inputIds().length - 1);
            assertThat(tokenizer.decode(answer)).isEqualTo(first.answer());
        }
    }
}
