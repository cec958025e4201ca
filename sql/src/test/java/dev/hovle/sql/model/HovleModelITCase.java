package dev.hovle.sql.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.EngineStats;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.operators.serving.SharedEngine;
import dev.hovle.testkit.SyntheticImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** CREATE MODEL and ML_PREDICT with the hovle provider on a MiniCluster, over real image bytes and a tiny model. */
class HovleModelITCase {
    private static final int MAX_NEW_TOKENS = 8;
    private static final Path SAMPLE = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("samples/red-circle-blue-square.png");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path modelDir;

    private TableEnvironment tables;

    @BeforeAll
    static void createModel() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 5);
    }

    @BeforeEach
    void tables() {
        Configuration conf = new Configuration();
        conf.set(TableConfigOptions.TABLE_CATALOG_MODIFICATION_LISTENERS,
                List.of(ModelCheckListenerFactory.IDENTIFIER));
        tables = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf)
                .build());
    }

    @Test
    void captionsAndAnswersImagesWithMlPredictAsTheEngineDoesGreedily() throws Exception {
        SyntheticImages images = new SyntheticImages(11);
        byte[] sample = Files.readAllBytes(SAMPLE);
        byte[] drawn = images.next(96, 64).data();
        imagesView(List.of(Row.of("sample", sample, null), Row.of("drawn", drawn, "What colour is the circle?")));
        createModel("captioner", modelDir, "");

        Map<String, Row> rows = byId(query("SELECT id, answer, model_version, finish_reason, error FROM "
                + "ML_PREDICT(TABLE images, MODEL captioner, DESCRIPTOR(image, prompt))"));

        assertThat(rows).containsOnlyKeys("sample", "drawn");
        assertThat(rows.get("sample").getField("answer")).isEqualTo(reference(sample, PromptPreparer.CAPTION_QUESTION));
        assertThat(rows.get("drawn").getField("answer")).isEqualTo(reference(drawn, "What colour is the circle?"));
        assertThat(rows.get("sample").getField("model_version")).isEqualTo(modelDir.getFileName().toString());
        assertThat(rows.get("sample").getField("error")).isNull();
    }

    @Test
    void givesAnErrorRowForACorruptImageAndServesTheOthers() throws Exception {
        SyntheticImages images = new SyntheticImages(12);
        imagesView(List.of(Row.of("broken", images.corruptPng(64, 64), null), Row.of("fine", images.next(64, 64).data(),
                null), Row.of("none", null, null)));
        createModel("captioner", modelDir, "");

        Map<String, Row> rows = byId(query("SELECT id, answer, error_type, error FROM "
                + "ML_PREDICT(TABLE images, MODEL captioner, DESCRIPTOR(image, prompt))"));

        assertThat(rows.get("broken").getField("answer")).isNull();
        assertThat(rows.get("broken").getField("error_type")).isEqualTo("CORRUPT_IMAGE");
        assertThat((String) rows.get("broken").getField("error")).contains("corrupt");
        assertThat(rows.get("none").getField("error_type")).isEqualTo("INVALID_REQUEST");
        assertThat((String) rows.get("none").getField("error")).contains("no image");
        assertThat(rows.get("fine").getField("error")).isNull();
        assertThat(rows.get("fine").getField("answer")).isNotNull();
    }

    @Test
    void failsTheQueryOnACorruptImageWhenOnErrorIsFail() {
        imagesView(List.<Row>of(Row.of("broken", new SyntheticImages(13).corruptPng(64, 64), null)));
        createModel("strict", modelDir, ", 'on-error' = 'fail'");

        assertThatThrownBy(() -> query("SELECT id, answer FROM ML_PREDICT(TABLE images, MODEL strict, "
                + "DESCRIPTOR(image, prompt))")).hasStackTraceContaining("CORRUPT_IMAGE");
    }

    @Test
    void refusesAMissingModelDirectoryAtCreateModel() {
        Path missing = modelDir.resolveSibling("no-such-model");

        assertThatThrownBy(() -> createModel("ghost", missing, ""))
                .hasStackTraceContaining("'model.dir' = '" + missing + "' is not a directory");
        assertThat(tables.listModels()).doesNotContain("ghost");
    }

    @Test
    void refusesAnOutputColumnItDoesNotKnowAtCreateModel() {
        assertThatThrownBy(() -> tables.executeSql("CREATE TEMPORARY MODEL typo INPUT (image BYTES) "
                + "OUTPUT (answr STRING, error STRING) WITH ('provider' = 'hovle', 'model.dir' = '" + modelDir + "')"))
                .hasStackTraceContaining("OUTPUT column answr means nothing to the hovle provider");
    }

    @Test
    void rowsInFlightShareEngineSteps() throws Exception {
        Configuration options = new Configuration();
        options.set(HovleModelOptions.MODEL_DIR, modelDir.toString());
        // Holding a lease keeps the query's engine (same spec, same JVM as the MiniCluster) alive to read its counters.
        try (SharedEngine lease = SharedEngine.acquire(HovleModelOptions.engineSpec(options))) {
            EngineStats stats = ((ContinuousBatchingEngine) lease.engine()).stats();
            SyntheticImages images = new SyntheticImages(14);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                rows.add(Row.of("img-" + i, images.next(64, 64).data(), null));
            }
            imagesView(rows);
            createModel("captioner", modelDir, 24, "");
            long steps = stats.steps();
            long decoded = stats.decodedTokens();

            assertThat(query("SELECT id, answer FROM ML_PREDICT(TABLE images, MODEL captioner, DESCRIPTOR(image, "
                    + "prompt), MAP['async', 'true', 'max-concurrent-operations', '6'])")).hasSize(6);

            // Each step decodes one token per running sequence: more tokens than steps means rows shared steps.
            assertThat(stats.decodedTokens() - decoded).isGreaterThan(stats.steps() - steps);
        }
    }

    private void imagesView(List<Row> rows) {
        tables.createTemporaryView("images", tables.fromValues(DataTypes.ROW(DataTypes.FIELD("id", DataTypes.STRING()),
                DataTypes.FIELD("image", DataTypes.BYTES()), DataTypes.FIELD("prompt", DataTypes.STRING())), rows));
    }

    private void createModel(String name, Path dir, String moreOptions) {
        createModel(name, dir, MAX_NEW_TOKENS, moreOptions);
    }

    private void createModel(String name, Path dir, int maxNewTokens, String moreOptions) {
        tables.executeSql("CREATE TEMPORARY MODEL " + name + " INPUT (image BYTES, prompt STRING) "
                + "OUTPUT (answer STRING, model_version STRING, finish_reason STRING, error STRING, error_type STRING) "
                + "WITH ('provider' = 'hovle', 'model.dir' = '" + dir + "', 'max-new-tokens' = '" + maxNewTokens
                + "'" + moreOptions + ")");
    }

    private List<Row> query(String sql) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tables.executeSql(sql).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> byId = new HashMap<>();
        rows.forEach(r -> byId.put((String) r.getField("id"), r));
        return byId;
    }

    /** The greedy answer of the model to {@code question} about {@code image}, outside Flink, one request alone. */
    private static String reference(byte[] image, String question) throws Exception {
        return GreedyReference.answer(modelDir, image, question, MAX_NEW_TOKENS);
    }
}
