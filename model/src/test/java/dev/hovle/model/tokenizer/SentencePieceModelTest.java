package dev.hovle.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.tokenizer.SentencePieceModel.ModelType;
import dev.hovle.model.tokenizer.SentencePieceModel.Piece;
import dev.hovle.model.tokenizer.SentencePieceModel.PieceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentencePieceModelTest {

    @Test
    void roundTripsPiecesAndSpecsThroughProtobufBytes() {
        SentencePieceModel model = new SentencePieceModel(List.of(
                new Piece("<unk>", 0f, PieceType.UNKNOWN),
                new Piece("<s>", 0f, PieceType.CONTROL),
                new Piece("▁größe", -1.5f, PieceType.NORMAL),
                new Piece("<|im_end|>", 0f, PieceType.USER_DEFINED),
                new Piece("<unused0>", -1e9f, PieceType.UNUSED)),
                ModelType.UNIGRAM, false, true, false);

        SentencePieceModel parsed = SentencePieceModel.parse(model.toBytes());

        assertThat(parsed).isEqualTo(model);
    }

    @Test
    void parsesTheTrainedModelItWrites() {
        SentencePieceModel model = TokenizerFiles.buildModel(500);

        SentencePieceModel parsed = SentencePieceModel.parse(model.toBytes());

        assertThat(parsed.pieces()).hasSize(500).isEqualTo(model.pieces());
        assertThat(parsed.modelType()).isEqualTo(ModelType.BPE);
        assertThat(parsed.byteFallback()).isTrue();
        assertThat(parsed.addDummyPrefix()).isFalse();
        assertThat(parsed.removeExtraWhitespaces()).isFalse();
        assertThat(parsed.pieces().get(3 + 0xFF).text()).isEqualTo("<0xFF>");
        assertThat(parsed.pieces().get(499).text()).isEqualTo("<|im_start|>");
    }
}
