package dev.hovle.tools.cli;

import dev.hovle.sql.script.SqlScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.table.api.TableResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle sql --file F}: a Flink SQL script on a local MiniCluster, against the broker of a local run. */
@Command(name = "sql", description = {"Run a Flink SQL script on a local Flink MiniCluster: CREATE TABLE (Kafka, "
        + "'format' = 'hovle-avro' for the pipeline's topics), CREATE MODEL ... WITH ('provider' = 'hovle'), "
        + "ML_PREDICT, INSERT, CREATE TABLE ... AS SELECT, SET 'key' = 'value'. Jobs keep running until they end or "
        + "Ctrl-C.",
        "${bootstrap-servers}, ${model-dir} and ${image-uri-prefixes} in the script are filled in (see docs/sql.md); "
                + "--var adds more."})
final class SqlCommand implements Callable<Integer> {

    @Option(names = "--file", required = true, description = "the SQL script, statements separated by ;")
    Path file;

    @Option(names = "--bootstrap-servers", description = "Kafka cluster for ${bootstrap-servers} (default: the broker "
            + "of a local hovle run, else localhost:9092)")
    String bootstrapServers;

    @Option(names = "--model", description = "snapshot directory for ${model-dir} (default: work/models/tiny, the "
            + "model a local hovle run serves)")
    Path model;

    @Option(names = "--image-uri-prefixes", description = "value of ${image-uri-prefixes}, the URI prefixes the model "
            + "may read images from (default: the samples/ folder)")
    String imageUriPrefixes;

    @Option(names = "--var", description = "a script variable, name=value (repeatable)")
    Map<String, String> vars = new HashMap<>();

    @Option(names = "--parallelism", defaultValue = "1", description = "default parallelism of the jobs "
            + "(default ${DEFAULT-VALUE})")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        Path modelDir = (model != null ? model : Path.of("work", "models", "tiny")).toAbsolutePath();
        Map<String, String> variables = new HashMap<>();
        variables.put("bootstrap-servers", KafkaAddress.resolve(bootstrapServers));
        variables.put("model-dir", modelDir.toString());
        variables.put("image-uri-prefixes", imageUriPrefixes != null ? imageUriPrefixes
                : Path.of("samples").toAbsolutePath().toUri().toString());
        variables.putAll(vars);
        SqlScript script = SqlScript.parse(Files.readString(file), variables);
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        List<TableResult> jobs;
        try {
            jobs = script.run(SqlScript.environment(conf), System.out);
        } catch (SqlScript.SqlScriptException e) {
            System.err.println("hovle sql: " + e.getMessage());
            return 1;
        }
        if (!jobs.isEmpty()) {
            System.out.println("sql: " + jobs.size() + " job(s) running on a local MiniCluster; Ctrl-C stops");
            for (TableResult job : jobs) {
                job.await();
            }
        }
        return 0;
    }
}
