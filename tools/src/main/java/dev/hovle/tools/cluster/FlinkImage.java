package dev.hovle.tools.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The jars of the Flink image {@code deploy/Dockerfile} builds, where a build of this repository leaves them: Flink's
 * own ({@code deploy/target/flink-dist/lib}, what the {@code flink} base image has in {@code lib/}), the jobs'
 * runtime ({@code pipeline/target/lib}, copied to {@code lib/}), the SQL provider (to {@code lib/}), and the job jar
 * (to {@code usrlib/}).
 *
 * @param flinkLib Flink's jars
 * @param jobLib the jobs' runtime jars, DJL included
 * @param sqlJar the Flink SQL provider and format
 * @param jobJar the job jar the cluster runs
 */
public record FlinkImage(Path flinkLib, Path jobLib, Path sqlJar, Path jobJar) {

    /** Where the Dockerfile copies each part from, relative to the repository, by where it goes in the image. */
    public static final Map<String, String> SOURCES = Map.of(
            "pipeline/target/lib/", "/opt/flink/lib/",
            "sql/target/hovle-sql-*.jar", "/opt/flink/lib/hovle-sql.jar",
            "pipeline/target/hovle-pipeline-*.jar", "/opt/flink/usrlib/hovle-pipeline.jar");

    /** The class path of the image's {@code lib/}: Flink first, then the jobs' runtime, then the SQL provider. */
    public String libClassPath() {
        return flinkLib.resolve("*") + File.pathSeparator + jobLib.resolve("*") + File.pathSeparator + sqlJar;
    }

    /** The image's parts in a built checkout at {@code root}. */
    public static FlinkImage fromRepository(Path root) throws IOException {
        Path flinkLib = existing(root.resolve("deploy/target/flink-dist/lib"));
        Path jobLib = existing(root.resolve("pipeline/target/lib"));
        return new FlinkImage(flinkLib, jobLib, jar(root.resolve("sql/target"), "hovle-sql-"),
                jar(root.resolve("pipeline/target"), "hovle-pipeline-"));
    }

    private static Path jar(Path dir, String prefix) throws IOException {
        existing(dir);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(".jar") && !name.endsWith("-tests.jar");
            }).toList();
            if (jars.size() != 1) {
                throw new NoSuchFileException(dir + "/" + prefix + "*.jar", null, jars.isEmpty()
                        ? "not built: run mvn -B install -DskipTests (./hovle does)" : "several: " + jars);
            }
            return jars.get(0).toAbsolutePath();
        }
    }

    private static Path existing(Path dir) throws NoSuchFileException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not built: run mvn -B install -DskipTests (./hovle "
                    + "does)");
        }
        return dir.toAbsolutePath();
    }
}
