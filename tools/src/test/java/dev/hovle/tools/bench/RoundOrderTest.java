package dev.hovle.tools.bench;

import static dev.hovle.tools.bench.RoundOrder.Side.ENGINE;
import static dev.hovle.tools.bench.RoundOrder.Side.PIPELINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RoundOrderTest {

    @Test
    void roundsRunAbba() {
        assertThat(IntStream.rangeClosed(1, 4).boxed().flatMap(r -> RoundOrder.of(r).stream()))
                .containsExactly(ENGINE, PIPELINE, PIPELINE, ENGINE, ENGINE, PIPELINE, PIPELINE, ENGINE);
    }

    @Test
    void roundsCountFromOne() {
        assertThatThrownBy(() -> RoundOrder.of(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
