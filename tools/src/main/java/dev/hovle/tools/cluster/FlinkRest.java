package dev.hovle.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The JobManager's REST API, as operators and the web UI use it: upload a job jar, run it (from a savepoint), watch
 * its state and checkpoints, stop it with a savepoint, cancel it, list TaskManagers. The same calls `flink run` and
 * the Kubernetes operator make.
 */
public final class FlinkRest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    public FlinkRest(URI base) {
        this.base = base;
    }

    /** A job's id and state, e.g. RUNNING, RESTARTING, FINISHED. */
    public record Job(String id, String name, String state) {}

    public URI base() {
        return base;
    }

    /** Whether the JobManager answers. */
    public boolean reachable() {
        try {
            get("/overview");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** TaskManagers registered with the JobManager, with their free and total slots. */
    public List<JsonNode> taskManagers() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        get("/taskmanagers").get("taskmanagers").forEach(out::add);
        return out;
    }

    /** Uploads a job jar; returns the id the JobManager stored it under. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "hovle-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/upload")).timeout(TIMEOUT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        String file = send(request).get("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * Runs {@code entryClass} of an uploaded jar with {@code args}; returns the job id.
     *
     * @param savepoint the savepoint to start from, or null
     */
    public String run(String jarId, String entryClass, List<String> args, String savepoint) throws IOException {
        ObjectNode request = json.createObjectNode().put("entryClass", entryClass);
        request.putArray("programArgsList").addAll(args.stream().map(json.getNodeFactory()::textNode).toList());
        if (savepoint != null) {
            request.put("savepointPath", savepoint).put("allowNonRestoredState", false);
        }
        return post("/jars/" + jarId + "/run", request).get("jobid").asText();
    }

    /**
     * Uploads {@code jar} and runs {@code entryClass} with {@code options} as {@code --key value} arguments over the
     * cluster's configuration, as {@code flink run} does; returns the job id.
     *
     * @param savepoint a savepoint to start from, or null
     */
    public String submit(Path jar, String entryClass, Map<String, String> options, String savepoint)
            throws IOException {
        List<String> args = new ArrayList<>();
        options.forEach((key, value) -> {
            args.add("--" + key);
            args.add(value);
        });
        return run(uploadJar(jar), entryClass, args, savepoint);
    }

    /** A vertex of a job graph: its id and name, e.g. {@code Source: images -> decode images}. */
    public record Vertex(String id, String name) {}

    public List<Vertex> vertices(String jobId) throws IOException {
        List<Vertex> out = new ArrayList<>();
        for (JsonNode vertex : get("/jobs/" + jobId).get("vertices")) {
            out.add(new Vertex(vertex.get("id").asText(), vertex.get("name").asText()));
        }
        return out;
    }

    /** The metrics the vertex's subtasks report, by the name its aggregated values are read under. */
    public List<String> subtaskMetricNames(String jobId, String vertexId) throws IOException {
        List<String> out = new ArrayList<>();
        get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics")
                .forEach(m -> out.add(m.get("id").asText()));
        return out;
    }

    /** One metric aggregated over the vertex's subtasks ({@code min}, {@code max}, {@code avg}, {@code sum}). */
    public Double subtaskMetric(String jobId, String vertexId, String name, String aggregation) throws IOException {
        String query = URLEncoder.encode(name, StandardCharsets.UTF_8);
        JsonNode values = get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?get=" + query + "&agg="
                + aggregation);
        return values.isEmpty() || !values.get(0).has(aggregation) ? null : values.get(0).get(aggregation).asDouble();
    }

    /** The resource ids of the TaskManagers running any task of the job. */
    public Set<String> taskManagersOf(String jobId) throws IOException {
        Set<String> out = new TreeSet<>();
        for (Vertex vertex : vertices(jobId)) {
            for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + vertex.id() + "/taskmanagers")
                    .get("taskmanagers")) {
                out.add(tm.get("taskmanager-id").asText());
            }
        }
        return out;
    }

    public List<Job> jobs() throws IOException {
        List<Job> out = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").get("jobs")) {
            out.add(new Job(job.get("jid").asText(), job.get("name").asText(), job.get("state").asText()));
        }
        return out;
    }

    /** Completed checkpoints of the job so far (restored ones excluded). */
    public long completedCheckpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints").get("counts").get("completed").asLong();
    }

    /** The job's failures so far, newest first: each its exception and where it happened. */
    public List<String> failures(String jobId) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode entry : get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
            out.add(entry.path("exceptionName").asText() + ": " + entry.path("taskName").asText() + " on "
                    + entry.path("endpoint").asText() + " (" + entry.path("taskManagerId").asText() + ")");
        }
        return out;
    }

    /** Stops the job after a savepoint in {@code directory}; returns where the savepoint is. */
    public String stopWithSavepoint(String jobId, String directory) throws IOException, InterruptedException {
        ObjectNode request = json.createObjectNode().put("targetDirectory", directory).put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", request).get("request-id").asText();
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.get("status").get("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.get("operation");
                if (operation.has("failure-cause")) {
                    throw new IOException("stop-with-savepoint of " + jobId + " failed: "
                            + operation.get("failure-cause").path("stack-trace").asText().lines().findFirst().orElse(""));
                }
                return operation.get("location").asText();
            }
            Thread.sleep(200);
        }
        throw new IOException("stop-with-savepoint of " + jobId + " did not complete within " + TIMEOUT);
    }

    public void cancel(String jobId) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel")).timeout(TIMEOUT)
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
    }

    private JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build());
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build());
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + request.uri(), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri().getPath() + " answered "
                    + response.statusCode() + ": " + reason(parse(response.body()).path("errors")));
        }
        return response.body().isEmpty() ? json.createObjectNode() : parse(response.body());
    }

    /** The first line of Flink's error and its root cause: its messages hold whole stack traces. */
    private static String reason(JsonNode errors) {
        List<String> lines = new ArrayList<>();
        errors.forEach(e -> e.asText().lines().forEach(lines::add));
        String first = lines.isEmpty() ? "no reason given" : lines.get(0);
        String cause = lines.stream().filter(l -> l.startsWith("Caused by: ")).reduce((a, b) -> b).orElse(null);
        return cause == null ? first : first + " (" + cause.substring("Caused by: ".length()) + ")";
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode().set("errors", json.createArrayNode().add(body));
        }
    }
}
