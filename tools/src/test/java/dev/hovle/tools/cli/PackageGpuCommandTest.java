package dev.hovle.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageGpuCommandTest {

    @Test
    void shipsTheModelRuntimeWithoutCpuNatives() throws Exception {
        List<Path> jars = new ArrayList<>(PackageGpuCommand.recordedJars(PackageGpuCommand.MODEL_CLASSPATH));
        jars.addAll(PackageGpuCommand.recordedJars(PackageGpuCommand.TOOLS_CLASSPATH));
        assertThat(jars).extracting(p -> p.getFileName().toString())
                .anyMatch(n -> n.startsWith("picocli-"))
                .anyMatch(n -> n.startsWith("pytorch-engine-"))
                .anyMatch(n -> n.startsWith("pytorch-jni-"))
                .noneMatch(n -> n.startsWith("pytorch-native-cpu"))
                .noneMatch(n -> n.startsWith("flink-") || n.startsWith("kafka"));
    }

    @Test
    void packagesAnArchiveUnderTheLimitThatRunsItsOwnJava(@TempDir Path temp) throws Exception {
        Path archive = temp.resolve("hovle-gpu.tar.gz");
        int exit = HovleCli.commandLine().execute("package-gpu", "--out", archive.toString());
        assertThat(exit).isZero();
        assertThat(Files.size(archive)).isLessThan(64L << 20);
        Process untar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", temp.toString()).start();
        assertThat(untar.waitFor()).isZero();
        Path root = temp.resolve("hovle-gpu");
        assertThat(root.resolve("lib/hovle-model.jar")).exists();
        assertThat(root.resolve("lib/hovle-tools.jar")).exists();
        Process help = new ProcessBuilder(root.resolve("hovle").toString(), "--help").redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes());
        assertThat(help.waitFor()).as(output).isZero();
        assertThat(output).contains("generate", "bench", "verify-golden");
    }
}
