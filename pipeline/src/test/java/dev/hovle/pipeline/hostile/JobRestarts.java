package dev.hovle.pipeline.hostile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/** How often a job restarted, as the JobManager's {@code numRestarts} metric says over the REST API. */
public final class JobRestarts {
    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"");

    private JobRestarts() {}

    /** The restarts of {@code job} on the cluster that {@code clientConfiguration} (a MiniClusterExtension's) names. */
    public static long of(Configuration clientConfiguration, JobID job) throws Exception {
        URI uri = URI.create("http://" + clientConfiguration.get(RestOptions.ADDRESS) + ":"
                + clientConfiguration.get(RestOptions.PORT) + "/jobs/" + job + "/metrics?get=numRestarts");
        HttpClient http = HttpClient.newHttpClient();
        // The metric appears once the JobManager's metric fetcher has run: wait for it rather than read "no value".
        for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < end; ) {
            String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher value = VALUE.matcher(body);
            if (value.find()) {
                return Long.parseLong(value.group(1));
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no numRestarts metric for job " + job + " at " + uri);
    }
}
