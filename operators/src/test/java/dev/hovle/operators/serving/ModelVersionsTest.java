package dev.hovle.operators.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.TrainingStage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelVersionsTest {
    private static final String TOPIC = "hovle.model-updates";
    private static final VersionPolicy FOLLOW = new VersionPolicy("hovle", "v1", "/models/v1", null);

    private long offset;

    @Test
    void servesTheConfiguredSnapshotUntilAPromotion() {
        ModelVersions versions = ModelVersions.start(FOLLOW);

        assertThat(versions.target()).isEqualTo(new ServingTarget.Configured("v1", "/models/v1"));
        assertThat(apply(versions, update("v2", "v1", ModelStatus.CANDIDATE))).isInstanceOf(VersionDecision.Keep.class);
        assertThat(versions.choice().version()).isEqualTo("v1");

        VersionDecision promoted = apply(versions, update("v2", "v1", ModelStatus.PROMOTED));

        assertThat(promoted).isEqualTo(new VersionDecision.Serve(new ServingTarget.Stored("v2", "file:/store/v2",
                Map.of("config.json", "ab".repeat(32)))));
        assertThat(versions.choice()).isEqualTo(new ServingChoice("v2", TOPIC, 0, offset - 1));
        assertThat(apply(versions, update("v2", "v1", ModelStatus.PROMOTED))).isInstanceOf(VersionDecision.Keep.class);
    }

    @Test
    void neverServesARejectedVersionEvenWhenPromotedLater() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        apply(versions, update("v2", "v1", ModelStatus.CANDIDATE));

        assertThat(apply(versions, update("v2", "v1", ModelStatus.REJECTED))).isInstanceOf(VersionDecision.Keep.class);
        VersionDecision promoted = apply(versions, update("v2", "v1", ModelStatus.PROMOTED));

        assertThat(promoted).isInstanceOf(VersionDecision.Refuse.class);
        assertThat(((VersionDecision.Refuse) promoted).why()).contains("v2 was rejected");
        assertThat(versions.choice().version()).isEqualTo("v1");
        assertThat(versions.known("v2").getStatus()).isEqualTo(ModelStatus.REJECTED);
    }

    @Test
    void aRejectionOfThePendingChoiceReturnsToItsParent() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        apply(versions, update("v2", "v1", ModelStatus.PROMOTED));
        apply(versions, update("v3", "v2", ModelStatus.PROMOTED));

        VersionDecision rejected = apply(versions, rollbackLike("v3", ModelStatus.REJECTED));

        assertThat(rejected).isInstanceOf(VersionDecision.Serve.class);
        assertThat(versions.target().version()).isEqualTo("v2");
    }

    @Test
    void rollbackReturnsToTheParentFromAnUpdateThatCarriesOnlyTheVerdict() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        apply(versions, update("v2", "v1", ModelStatus.CANDIDATE));
        apply(versions, update("v2", "v1", ModelStatus.PROMOTED));
        apply(versions, update("v3", "v2", ModelStatus.PROMOTED));

        VersionDecision toV2 = apply(versions, rollbackLike("v3", ModelStatus.ROLLED_BACK));
        assertThat(toV2).isEqualTo(new VersionDecision.Serve(new ServingTarget.Stored("v2", "file:/store/v2",
                Map.of("config.json", "ab".repeat(32)))));
        assertThat(versions.known("v3").getUri()).as("the verdict keeps the checkpoint").isEqualTo("file:/store/v3");

        VersionDecision toRoot = apply(versions, rollbackLike("v2", ModelStatus.ROLLED_BACK));
        assertThat(toRoot).isEqualTo(new VersionDecision.Serve(new ServingTarget.Configured("v1", "/models/v1")));
    }

    @Test
    void rollbackSkipsAncestorsThatWereRolledBackAndRefusesWithoutAParent() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        apply(versions, update("v2", "v1", ModelStatus.PROMOTED));
        apply(versions, update("v3", "v2", ModelStatus.PROMOTED));
        apply(versions, rollbackLike("v2", ModelStatus.ROLLED_BACK)); // not the choice: only remembered
        assertThat(versions.choice().version()).isEqualTo("v3");

        apply(versions, rollbackLike("v3", ModelStatus.ROLLED_BACK));
        assertThat(versions.choice().version()).isEqualTo("v1");

        apply(versions, update("w1", "elsewhere", ModelStatus.PROMOTED));
        VersionDecision orphan = apply(versions, rollbackLike("w1", ModelStatus.ROLLED_BACK));
        assertThat(orphan).isInstanceOf(VersionDecision.Refuse.class);
        assertThat(((VersionDecision.Refuse) orphan).why()).contains("no update named the checkpoint of its parent "
                + "elsewhere");
        assertThat(versions.choice().version()).isEqualTo("w1");
    }

    @Test
    void aPinnedVersionServesOnceSeenAndIgnoresPromotionsAndRollbacks() {
        ModelVersions versions = ModelVersions.start(new VersionPolicy("hovle", "v1", "/models/v1", "v3"));

        assertThat(apply(versions, update("v2", "v1", ModelStatus.PROMOTED))).isInstanceOf(VersionDecision.Keep.class);
        assertThat(apply(versions, update("v3", "v2", ModelStatus.CANDIDATE))).isInstanceOf(VersionDecision.Serve.class);
        assertThat(apply(versions, update("v4", "v3", ModelStatus.PROMOTED))).isInstanceOf(VersionDecision.Keep.class);
        assertThat(apply(versions, rollbackLike("v3", ModelStatus.ROLLED_BACK))).isInstanceOf(VersionDecision.Keep.class);

        assertThat(versions.choice().version()).isEqualTo("v3");
    }

    @Test
    void ignoresOtherModelsAndUnknownStatuses() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        ModelUpdate other = ModelUpdate.newBuilder(update("v2", "v1", ModelStatus.PROMOTED)).setModelName("other")
                .build();

        assertThat(apply(versions, other)).isInstanceOf(VersionDecision.Keep.class);
        assertThat(apply(versions, update("v3", "v1", ModelStatus.UNKNOWN))).isInstanceOf(VersionDecision.Keep.class);
        assertThat(versions.known("v2")).isNull();
        assertThat(versions.known("v3")).isNull();
        assertThat(versions.choice().version()).isEqualTo("v1");
    }

    @Test
    void restoresTheChoiceAndAppliesAPinSetSince() {
        ModelVersions before = ModelVersions.start(FOLLOW);
        apply(before, update("v2", "v1", ModelStatus.PROMOTED));
        apply(before, update("v3", "v2", ModelStatus.PROMOTED));
        List<ModelUpdate> state = List.of(before.known("v2"), before.known("v3"));

        ModelVersions restored = ModelVersions.restore(FOLLOW, state, before.choice());
        ModelVersions pinned = ModelVersions.restore(new VersionPolicy("hovle", "v1", "/models/v1", "v2"), state,
                before.choice());
        ModelVersions pinnedUnknown = ModelVersions.restore(new VersionPolicy("hovle", "v1", "/models/v1", "v9"), state,
                before.choice());

        assertThat(restored.target().version()).isEqualTo("v3");
        assertThat(pinned.target().version()).isEqualTo("v2");
        assertThat(pinnedUnknown.target().version()).isEqualTo("v1");
        assertThat(ModelVersions.restore(FOLLOW, List.of(), null).target().version()).isEqualTo("v1");
    }

    @Test
    void rollingBackAServedVersionRepeatsItsLineageAndFollowingJobsReturnToItsParent() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        apply(versions, update("v2", "v1", ModelStatus.PROMOTED));
        apply(versions, update("v3", "v2", ModelStatus.PROMOTED));
        Instant now = Instant.parse("2026-12-06T20:00:00Z");

        ModelVersions.Rollback decision = ModelVersions.rollback(versions.known("v3"), "bad captions", now);

        assertThat(decision).isInstanceOf(ModelVersions.Rollback.Publish.class);
        ModelUpdate published = ((ModelVersions.Rollback.Publish) decision).update();
        assertThat(published.getStatus()).isEqualTo(ModelStatus.ROLLED_BACK);
        assertThat(published.getParentVersion()).isEqualTo("v2");
        assertThat(published.getUri()).isEqualTo("file:/store/v3");
        assertThat(published.getMetrics()).containsEntry("eval_loss", 1.5);
        assertThat(published.getReason()).isEqualTo("bad captions");
        assertThat(published.getTime()).isEqualTo(now);
        assertThat(apply(versions, published)).isEqualTo(new VersionDecision.Serve(new ServingTarget.Stored("v2",
                "file:/store/v2", Map.of("config.json", "ab".repeat(32)))));
    }

    @Test
    void refusesToRollBackARejectedVersionAndReportsOneRolledBackAlready() {
        ModelVersions versions = ModelVersions.start(FOLLOW);
        apply(versions, update("v2", "v1", ModelStatus.CANDIDATE));
        apply(versions, rollbackLike("v2", ModelStatus.REJECTED));
        apply(versions, update("v3", "v1", ModelStatus.PROMOTED));
        apply(versions, ModelUpdate.newBuilder(rollbackLike("v3", ModelStatus.ROLLED_BACK)).setReason("drift").build());

        ModelVersions.Rollback rejected = ModelVersions.rollback(versions.known("v2"), "why", Instant.now());
        ModelVersions.Rollback again = ModelVersions.rollback(versions.known("v3"), "why", Instant.now());

        assertThat(rejected).isInstanceOf(ModelVersions.Rollback.Refused.class);
        assertThat(((ModelVersions.Rollback.Refused) rejected).why()).contains("v2 was rejected");
        assertThat(again).isEqualTo(new ModelVersions.Rollback.AlreadyDone("version v3 is rolled back already (drift)"));
    }

    private VersionDecision apply(ModelVersions versions, ModelUpdate update) {
        return versions.apply(update, TOPIC, 0, offset++);
    }

    private static ModelUpdate update(String version, String parent, ModelStatus status) {
        return ModelUpdate.newBuilder().setModelName("hovle").setVersion(version).setParentVersion(parent)
                .setStage(TrainingStage.INSTRUCTION).setStep(100).setSamplesSeen(800)
                .setUri("file:/store/" + version).setChecksums(Map.of("config.json", "ab".repeat(32)))
                .setMetrics(Map.of("eval_loss", 1.5)).setStatus(status).setTime(Instant.now()).build();
    }

    /** A verdict as the CLI or the gate may send it: the version and status only, no checkpoint. */
    private static ModelUpdate rollbackLike(String version, ModelStatus status) {
        return ModelUpdate.newBuilder(update(version, null, status)).setUri("").setChecksums(Map.of()).build();
    }
}
