package dev.hovle.tools.cli;

import dev.hovle.pipeline.kafka.RequestClient;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.tools.local.EventLines;
import java.io.IOException;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle send}: one image to a running pipeline, for a caption or with a question; prints the outcome. */
@Command(name = "send", description = {"Send an image to a running pipeline (hovle run, or a cluster) for a caption, "
        + "or with --question; wait for the result and print it. Exit code 1 for a dead letter, 2 for no answer."})
final class SendCommand implements Callable<Integer> {

    @Option(names = "--image", required = true, description = "image file (PNG, JPEG or WebP)")
    Path image;

    @Option(names = "--question", description = "ask this about the image (default: caption it)")
    String question;

    @Option(names = "--inline", description = "carry the image inside the request instead of on the images topic "
            + "(captions always do)")
    boolean inline;

    @Option(names = "--max-new-tokens", description = "upper bound on generated tokens (default: the job's)")
    Integer maxNewTokens;

    @Option(names = "--bootstrap-servers", description = "Kafka cluster (default: the broker of a local hovle run, "
            + "else localhost:9092)")
    String bootstrapServers;

    @Option(names = "--timeout", defaultValue = "60s", description = "how long to wait (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws Exception {
        byte[] data = Files.readAllBytes(image);
        String mediaType = mediaType(image);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String imageId = image.getFileName().toString().replaceAll("\\.[^.]*$", "") + "-" + suffix;
        boolean caption = question == null;
        boolean byId = !caption && !inline;
        String servers = KafkaAddress.resolve(bootstrapServers);
        Duration wait = RunCommand.parseDuration(timeout);
        try (RequestClient client = RequestClient.connect(servers, RequestClient.Topics.defaults())) {
            client.awaitReady(wait);
            // Event times are stamped once the client listens, so the printed latency is the pipeline's own.
            Instant now = Instant.now();
            VlmRequest.Builder request = VlmRequest.newBuilder().setRequestId("send-" + suffix)
                    .setTask(caption ? Task.CAPTION : Task.QA).setEventTime(now).setPrompt(question);
            if (byId) {
                request.setImageIds(List.of(imageId));
            } else {
                request.setImages(List.of(InlineImage.newBuilder().setMediaType(mediaType)
                        .setData(ByteBuffer.wrap(data)).build()));
            }
            if (maxNewTokens != null) {
                request.setGeneration(GenerationParams.newBuilder().setMaxNewTokens(maxNewTokens).build());
            }
            ImageEvent event = byId ? ImageEvent.newBuilder().setImageId(imageId).setSource("hovle send")
                    .setEventTime(now).setMediaType(mediaType).setData(ByteBuffer.wrap(data)).build() : null;
            System.out.println("sending " + (caption ? "a caption request" : "a question") + " about " + image + " to "
                    + servers + (byId ? " (image id " + imageId + ")" : " (image inline)"));
            RequestClient.Outcome outcome = client.ask(request.build(), event, wait);
            if (outcome.deadLetter() != null) {
                DeadLetter d = outcome.deadLetter();
                System.out.println(EventLines.deadLetter(d));
                return 1;
            }
            VlmResult r = outcome.result();
            System.out.println(EventLines.result(r, question, Instant.now()));
            System.out.println(r.getText());
            return 0;
        } catch (TimeoutException e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }

    private static String mediaType(Path file) throws IOException {
        String guessed = URLConnection.guessContentTypeFromName(file.getFileName().toString());
        return guessed != null ? guessed : Files.probeContentType(file) != null ? Files.probeContentType(file)
                : "application/octet-stream";
    }
}
