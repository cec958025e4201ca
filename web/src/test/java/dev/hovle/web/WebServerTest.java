package dev.hovle.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.FinishReason;
import dev.hovle.schemas.ImageAttributes;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Timings;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.SyntheticImages;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's server against a real broker, through a real HTTP client: what it shows, pushes, serves and refuses. */
class WebServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static EmbeddedKafka kafka;
    private static EventProducer producer;
    private static WebServer web;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(dir);
        Topics t = Topics.DEFAULTS;
        kafka.createTopics(List.of(t.images(), t.requests(), t.results(), t.modelUpdates(), t.deadLetters()), 1);
        producer = EventProducer.connect(kafka.bootstrapServers());
        web = WebServer.builder().setBootstrapServers(kafka.bootstrapServers()).optPort(0).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (web != null) {
            web.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void showsACommittedAnswerWithItsPictureQuestionVersionAndVerdict() throws Exception {
        SyntheticImages.Scene scene = new SyntheticImages(1).next(640, 480);
        producer.send(Topics.DEFAULTS.images(), image("img-judged", scene.data(), "image/png",
                Map.of(ImageAttributes.EXPECTED_ANSWER, "red", ImageAttributes.QUESTION, "What color?")));
        producer.send(Topics.DEFAULTS.requests(), VlmRequest.newBuilder().setRequestId("req-judged").setTask(Task.QA)
                .setEventTime(Instant.now()).setImageIds(List.of("img-judged")).setPrompt("What color?").build());
        producer.flush();
        sendResult(result("req-judged", Task.QA, "red", "v-000025", List.of("img-judged")));

        JsonNode shown = await("/api/state", s -> find(s.get("results"), "requestId", "req-judged") != null);
        JsonNode card = find(shown.get("results"), "requestId", "req-judged");
        assertThat(card.get("question").asText()).isEqualTo("What color?");
        assertThat(card.get("verdict").asText()).isEqualTo("right");
        assertThat(card.get("modelVersion").asText()).isEqualTo("v-000025");
        assertThat(card.get("images").get(0).get("preview").asBoolean()).isTrue();
        JsonNode answers = find(shown.get("stats").get("answersByVersion"), "version", "v-000025");
        assertThat(answers.get("judged").asLong()).isEqualTo(1);
        assertThat(answers.get("right").asLong()).isEqualTo(1);

        HttpResponse<byte[]> picture = get("/images/img-judged");
        assertThat(picture.statusCode()).isEqualTo(200);
        assertThat(picture.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage preview = ImageIO.read(new ByteArrayInputStream(picture.body()));
        assertThat(preview.getWidth()).isEqualTo(Thumbnails.SIDE);
        assertThat(preview.getHeight()).isEqualTo(144); // 640x480 kept at 4:3
    }

    @Test
    void marksAWrongAnswerWrongWithTheExpectedOne() throws Exception {
        producer.send(Topics.DEFAULTS.images(), image("img-wrong", new SyntheticImages(2).next(64, 64).data(),
                "image/png", Map.of(ImageAttributes.EXPECTED_ANSWER, "circle")));
        producer.flush();
        sendResult(result("req-wrong", Task.QA, "square", "v-000050", List.of("img-wrong")));
        JsonNode shown = await("/api/state", s -> find(s.get("results"), "requestId", "req-wrong") != null);
        JsonNode card = find(shown.get("results"), "requestId", "req-wrong");
        assertThat(card.get("verdict").asText()).isEqualTo("wrong");
        assertThat(card.get("expected").asText()).isEqualTo("circle");
    }

    @Test
    void pushesCommittedResultsToOpenPagesAsServerSentEvents() throws Exception {
        List<String> lines = new ArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(web.url().resolve("/api/events")).build();
        HttpResponse<Stream<String>> stream = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
            String previous = "";
            for (String line : (Iterable<String>) stream.body()::iterator) {
                lines.add(line);
                if (previous.equals("event: result") && line.contains("\"req-pushed\"")) {
                    return true;
                }
                previous = line;
            }
            return false;
        });
        sendResult(result("req-pushed", Task.CAPTION, "a drawn scene", "tiny", List.of()));
        assertThat(seen.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        stream.body().close();
    }

    @Test
    void servesOnlyPicturesItReencodedItself() throws Exception {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".getBytes(StandardCharsets.UTF_8);
        producer.send(Topics.DEFAULTS.images(), image("img-svg", svg, "image/svg+xml", Map.of()));
        byte[] png = new SyntheticImages(3).next(100, 50).data();
        producer.send(Topics.DEFAULTS.images(), image("img-claims-html", png, "text/html", Map.of()));
        producer.flush();
        sendResult(result("req-hostile-pictures", Task.CAPTION, "x", "tiny", List.of("img-svg", "img-claims-html")));
        await("/api/state", s -> find(s.get("results"), "requestId", "req-hostile-pictures") != null);

        HttpResponse<byte[]> script = get("/images/img-svg");
        assertThat(script.statusCode()).isEqualTo(404);
        assertThat(new String(script.body(), StandardCharsets.UTF_8)).doesNotContain("svg");
        HttpResponse<byte[]> reencoded = get("/images/img-claims-html");
        assertThat(reencoded.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(reencoded.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(ImageIO.read(new ByteArrayInputStream(reencoded.body())).getWidth()).isEqualTo(100);
    }

    @Test
    void showsDeadLettersWithProvenanceButNotTheirPayload() throws Exception {
        DeadLetter letter = DeadLetter.newBuilder().setSourceTopic("hovle.images").setSourcePartition(1)
                .setSourceOffset(42L).setKey(ByteBuffer.wrap("img-broken".getBytes(StandardCharsets.UTF_8)))
                .setPayload(ByteBuffer.wrap("SECRET-PAYLOAD".getBytes(StandardCharsets.UTF_8)))
                .setErrorType(ErrorType.CORRUPT_IMAGE).setMessage("corrupt PNG image: CRC error")
                .setStage(PipelineStage.PREPARE).setTime(Instant.now()).build();
        producer.sendRaw(Topics.DEFAULTS.deadLetters(), null, EventCodec.of(DeadLetter.class).encode(letter)).get();
        JsonNode state = await("/api/state", s -> find(s.get("deadLetters"), "key", "img-broken") != null);
        JsonNode shown = find(state.get("deadLetters"), "key", "img-broken");
        assertThat(shown.get("offset").asLong()).isEqualTo(42);
        assertThat(shown.get("payloadBytes").asInt()).isEqualTo(14);
        assertThat(state.toString()).doesNotContain("SECRET-PAYLOAD");
        assertThat(state.get("stats").get("deadLettersByType").get("CORRUPT_IMAGE").asLong()).isPositive();
    }

    @Test
    void countsRecordsThatAreNotEventsWithoutShowingThem() throws Exception {
        producer.sendRaw(Topics.DEFAULTS.results(), null, "not avro <script>".getBytes(StandardCharsets.UTF_8)).get();
        JsonNode state = await("/api/state", s -> s.get("stats").get("undecodable").has(Topics.DEFAULTS.results()));
        assertThat(state.toString()).doesNotContain("not avro");
    }

    @Test
    void rollsAVersionBackOnlyWhenTheRequestConfirmsIt() throws Exception {
        ModelUpdate promoted = ModelUpdate.newBuilder().setModelName("hovle").setVersion("v-roll").setParentVersion("v-0")
                .setStage(TrainingStage.ALIGNMENT).setStep(25).setSamplesSeen(800).setUri("file:///store/v-roll")
                .setStatus(ModelStatus.PROMOTED).setReason("eval loss 1.2 < 1.5").setTime(Instant.now()).build();
        producer.send(Topics.DEFAULTS.modelUpdates(), promoted).get();
        await("/api/state", s -> find(s.get("versions"), "version", "v-roll") != null);
        String body = "{\"model\":\"hovle\",\"version\":\"v-roll\",\"reason\":\"answers got worse\"}";

        assertThat(post(body, Map.of()).statusCode()).isEqualTo(428);
        assertThat(post(body, Map.of(WebServer.CONFIRM_HEADER, "v-roll", "Origin", "http://attacker.example"))
                .statusCode()).isEqualTo(403);
        HttpResponse<String> done = post(body, Map.of(WebServer.CONFIRM_HEADER, "v-roll"));
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(done.body()).get("outcome").asText()).isEqualTo("published");

        try (EventReader<ModelUpdate> reader = EventReader.open(kafka.bootstrapServers(),
                Topics.DEFAULTS.modelUpdates(), ModelUpdate.class, true)) {
            List<ModelUpdate> updates = reader.readToEnd(WAIT).stream().map(EventReader.Received::event).toList();
            assertThat(updates).anySatisfy(u -> {
                assertThat(u.getVersion()).isEqualTo("v-roll");
                assertThat(u.getStatus()).isEqualTo(ModelStatus.ROLLED_BACK);
                assertThat(u.getReason()).isEqualTo("answers got worse");
                assertThat(u.getUri()).isEqualTo("file:///store/v-roll");
            });
        }
        JsonNode state = await("/api/state", s -> "ROLLED_BACK".equals(
                find(s.get("versions"), "version", "v-roll").get("status").asText()));
        assertThat(state.get("timeline").toString()).contains("answers got worse");
        HttpResponse<String> again = post(body, Map.of(WebServer.CONFIRM_HEADER, "v-roll"));
        assertThat(JSON.readTree(again.body()).get("outcome").asText()).isEqualTo("already-done");
    }

    @Test
    void answersOnlyToLoopbackHostNames() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", web.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/state HTTP/1.1\r\nHost: rebound.attacker.example:" + web.port()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).contains(" 421 ");
        }
        assertThat(get("/api/state").statusCode()).isEqualTo(200);
    }

    @Test
    void servesThePageWithAPolicyThatAllowsNoInlineScript() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(get("/vendor/uPlot.js").statusCode()).isEqualTo(200);
        assertThat(get("/app.js").statusCode()).isEqualTo(200);
        assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
    }

    private static ImageEvent image(String id, byte[] data, String mediaType, Map<String, String> attributes) {
        return ImageEvent.newBuilder().setImageId(id).setSource("test").setEventTime(Instant.now())
                .setMediaType(mediaType).setData(ByteBuffer.wrap(data)).setAttributes(attributes).build();
    }

    private static VlmResult result(String requestId, Task task, String text, String version, List<String> images) {
        Instant now = Instant.now();
        return VlmResult.newBuilder().setRequestId(requestId).setTask(task).setImageIds(images).setText(text)
                .setFinishReason(FinishReason.STOP).setPromptTokens(10).setGeneratedTokens(3).setModelVersion(version)
                .setTimings(Timings.newBuilder().setQueueMillis(1).setPreprocessMillis(2).setPrefillMillis(3)
                        .setDecodeMillis(4).build())
                .setEventTime(now.minusMillis(1500)).setProcessingTime(now).build();
    }

    private static void sendResult(VlmResult result) throws Exception {
        producer.sendRaw(Topics.DEFAULTS.results(), result.getRequestId().getBytes(StandardCharsets.UTF_8),
                EventCodec.of(VlmResult.class).encode(result)).get();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(web.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(web.url().resolve("/api/rollback"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code path} until its JSON satisfies {@code until}. */
    private static JsonNode await(String path, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(get(path).body());
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not show what was expected within " + WAIT + "; last: " + last);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            if (item.hasNonNull(field) && item.get(field).asText().equals(value)) {
                return item;
            }
        }
        return null;
    }
}
