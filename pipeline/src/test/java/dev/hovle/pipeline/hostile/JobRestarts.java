package dev.hovle.pipeline.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/**
 * How often a job failed (and so restarted), from its exception history over the JobManager's REST API: the
 * scheduler records each failure as it handles it, before the restart.
 */
public final class JobRestarts {
    private JobRestarts() {}

    /** The failures of {@code job} on the cluster that {@code clientConfiguration} (a MiniClusterExtension's) names. */
    public static int of(Configuration clientConfiguration, JobID job) throws Exception {
        URI uri = URI.create("http://" + clientConfiguration.get(RestOptions.ADDRESS) + ":"
                + clientConfiguration.get(RestOptions.PORT) + "/jobs/" + job + "/exceptions?maxExceptions=1000");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode history = new ObjectMapper().readTree(response.body()).path("exceptionHistory");
        if (response.statusCode() != 200 || history.isMissingNode()) {
            throw new AssertionError("no exception history for job " + job + " at " + uri + ": " + response.body());
        }
        return history.path("entries").size();
    }
}
