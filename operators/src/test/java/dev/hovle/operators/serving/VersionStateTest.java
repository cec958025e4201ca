package dev.hovle.operators.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.operators.serving.VersionState.Close;
import dev.hovle.operators.serving.VersionState.Load;
import dev.hovle.operators.serving.VersionState.Nothing;
import dev.hovle.operators.serving.VersionState.Step;
import dev.hovle.operators.serving.VersionState.SwapIn;
import org.junit.jupiter.api.Test;

class VersionStateTest {

    @Test
    void anAskLoadsSwapsInAndFreesTheRetiredModel() {
        VersionState<String> state = VersionState.serving("model-v1", "v1");

        Step<String> ask = state.ask("v2", 1);
        assertThat(ask.action()).isEqualTo(new Load<String>("v2", 1));
        Step<String> loaded = ask.next().loaded(1, "v2", "model-v2");
        assertThat(loaded.action()).isEqualTo(new SwapIn<>("model-v2", "v2", 1));
        assertThat(loaded.next().handedOver()).isEqualTo("model-v2");
        Step<String> swapped = loaded.next().swappedIn("model-v2", "v2", "model-v1");

        assertThat(swapped.action()).isEqualTo(new Close<>("model-v1"));
        assertThat(swapped.next().serving()).isEqualTo("model-v2");
        assertThat(swapped.next().servingVersion()).isEqualTo("v2");
        assertThat(swapped.next().handedOver()).isNull();
        assertThat(swapped.next().models()).containsExactly("model-v2");
    }

    @Test
    void repeatedAndOutOfOrderAsksChangeNothing() {
        VersionState<String> asked = VersionState.serving("model-v1", "v1").ask("v2", 5).next();

        assertThat(asked.ask("v2", 6).action()).as("the same version from another slot").isInstanceOf(Nothing.class);
        Step<String> late = asked.ask("v3", 4);
        assertThat(late.action()).as("an ask older than one seen").isInstanceOf(Nothing.class);
        assertThat(late.next()).isEqualTo(asked);
        assertThat(VersionState.serving("model-v1", "v1").ask("v1", 1).action()).isInstanceOf(Nothing.class);
    }

    @Test
    void aLoadThatALaterAskReplacedIsFreedNotSwappedIn() {
        VersionState<String> state = VersionState.serving("model-v1", "v1").ask("v2", 1).next().ask("v3", 2).next();

        assertThat(state.wants(1)).isFalse();
        Step<String> loaded = state.loaded(1, "v2", "model-v2");

        assertThat(loaded.action()).isEqualTo(new Close<>("model-v2"));
        assertThat(loaded.next()).isEqualTo(state);
    }

    @Test
    void askingForTheServingVersionAgainReinstatesItOverAPendingSwap() {
        VersionState<String> pending = VersionState.serving("model-v1", "v1").ask("v2", 1).next()
                .loaded(1, "v2", "model-v2").next();

        Step<String> back = pending.ask("v1", 2);

        assertThat(back.action()).isEqualTo(new SwapIn<>("model-v1", "v1", 2));
        Step<String> superseded = back.next().swapFailed(1, "model-v2");
        assertThat(superseded.action()).isEqualTo(new Close<>("model-v2"));
        assertThat(superseded.next().wanted()).isEqualTo("v1");
        Step<String> reinstated = superseded.next().swappedIn("model-v1", "v1", "model-v1");
        assertThat(reinstated.action()).as("the serving model is never freed").isInstanceOf(Nothing.class);
        assertThat(reinstated.next().handedOver()).isNull();
    }

    @Test
    void aFailedLoadOrSwapLetsALaterUpdateAskForThatVersionAgain() {
        VersionState<String> failedLoad = VersionState.serving("model-v1", "v1").ask("v2", 1).next().loadFailed(1);
        assertThat(failedLoad.wanted()).isEqualTo("v1");
        assertThat(failedLoad.ask("v2", 2).action()).isEqualTo(new Load<String>("v2", 2));

        VersionState<String> handed = failedLoad.ask("v2", 2).next().loaded(2, "v2", "model-v2").next();
        Step<String> refused = handed.swapFailed(2, "model-v2");
        assertThat(refused.action()).isEqualTo(new Close<>("model-v2"));
        assertThat(refused.next().wanted()).isEqualTo("v1");
        assertThat(refused.next().serving()).isEqualTo("model-v1");
    }

    @Test
    void aClosedSwitchAsksForNothingAndFreesWhatItHolds() {
        VersionState<String> handed = VersionState.serving("model-v1", "v1").ask("v2", 1).next()
                .loaded(1, "v2", "model-v2").next();

        VersionState<String> closed = handed.close();

        assertThat(closed.ask("v3", 2).action()).isInstanceOf(Nothing.class);
        assertThat(closed.wants(1)).isFalse();
        assertThat(closed.models()).containsExactly("model-v2", "model-v1");
    }
}
