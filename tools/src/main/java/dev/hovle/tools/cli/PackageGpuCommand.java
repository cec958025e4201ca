package dev.hovle.tools.cli;

import dev.hovle.model.HoVLEModel;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hovle package-gpu}: one archive with what a GPU host needs to run the model commands (generate, bench,
 * verify-golden): the model library and its runtime jars without the CPU natives, and a {@code jlink} Java runtime.
 * The host brings CUDA libtorch the normal DJL way (see deploy/GPU.md).
 */
@Command(name = "package-gpu", description = "Package the model commands for a GPU host: model jars without CPU "
        + "natives plus a jlink Java runtime, as one tar.gz (refused above --max-mib).")
final class PackageGpuCommand implements Callable<Integer> {
    /** The model's runtime jars minus the CPU natives, recorded by the model module's build. */
    static final String MODEL_CLASSPATH = "/META-INF/hovle/gpu-runtime-classpath.txt";
    /** The command line's own libraries (picocli, the progress bar), recorded by this module's build. */
    static final String TOOLS_CLASSPATH = "/META-INF/hovle/gpu-tools-classpath.txt";
    private static final String MODULES = "java.base,java.logging,java.management,jdk.unsupported,java.compiler,"
            + "java.desktop,java.xml,jdk.incubator.vector";

    @Option(names = "--out", required = true, description = "archive to write (.tar.gz)")
    Path out;

    @Option(names = "--jdk", description = "JDK whose jlink builds the runtime (default: Temurin 25 under "
            + "/usr/lib/jvm if present, else this JVM's); a runtime from a build on an old glibc runs on more hosts")
    Path jdk;

    @Option(names = "--max-mib", defaultValue = "64", description = "largest archive allowed (default ${DEFAULT-VALUE} MiB)")
    long maxMib;

    @Override
    public Integer call() throws Exception {
        Path staging = Files.createTempDirectory("hovle-gpu-");
        Path root = staging.resolve("hovle-gpu");
        Path lib = Files.createDirectories(root.resolve("lib"));
        for (String classpath : List.of(MODEL_CLASSPATH, TOOLS_CLASSPATH)) {
            for (Path jar : recordedJars(classpath)) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        jarClasses(HoVLEModel.class, lib.resolve("hovle-model.jar"));
        jarClasses(PackageGpuCommand.class, lib.resolve("hovle-tools.jar"));
        Path javaHome = jdk != null ? jdk : defaultJdk();
        run(List.of(javaHome.resolve("bin/jlink").toString(), "--add-modules", MODULES, "--strip-debug",
                "--no-header-files", "--no-man-pages", "--compress=" + (javaVersion(javaHome) >= 21 ? "zip-9" : "2"),
                "--output", root.resolve("runtime").toString()));
        writeLauncher(root.resolve("hovle"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        run(List.of("tar", "-czf", out.toAbsolutePath().toString(), "-C", staging.toString(), "hovle-gpu"));
        deleteTree(staging);
        long size = Files.size(out);
        System.out.printf(Locale.ROOT, "%s: %.1f MiB (runtime from %s)%n", out, size / 1048576.0, javaHome);
        if (size > maxMib << 20) {
            System.err.printf(Locale.ROOT, "archive is %.1f MiB, over the %d MiB limit%n", size / 1048576.0, maxMib);
            return 1;
        }
        return 0;
    }

    /** The jars a module's build recorded in {@code resource}. */
    static List<Path> recordedJars(String resource) throws IOException {
        try (InputStream in = PackageGpuCommand.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing: build the project with Maven first");
            }
            List<Path> jars = new ArrayList<>();
            for (String entry : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!Files.exists(jar)) {
                    throw new IOException("runtime jar " + jar + " is missing: run mvn install first");
                }
                jars.add(jar);
            }
            return jars;
        }
    }

    /** Copies the jar that holds {@code owner}, or jars its classes folder when it runs from a build tree. */
    private static void jarClasses(Class<?> owner, Path target) throws IOException, URISyntaxException {
        Path classes = Path.of(owner.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isDirectory(classes)) {
            Files.copy(classes, target);
            return;
        }
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        }
    }

    private static void writeLauncher(Path script) throws IOException {
        Files.writeString(script, """
                #!/bin/sh
                # HoVLE model commands on a GPU host. libtorch with CUDA comes the normal DJL way: either online
                # (PYTORCH_FLAVOR=cu128 downloads it) or a local copy named by PYTORCH_LIBRARY_PATH, PYTORCH_VERSION
                # and PYTORCH_FLAVOR.
                here="$(cd "$(dirname "$0")" && pwd)"
                exec "$here/runtime/bin/java" -XX:MaxDirectMemorySize=64g --add-modules jdk.incubator.vector $HOVLE_JAVA_OPTS -cp "$here/lib/*" \\
                  MAIN_CLASS "$@"
                """.replace("MAIN_CLASS", HovleCli.class.getName()), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path defaultJdk() throws IOException {
        try (Stream<Path> jvms = Files.exists(Path.of("/usr/lib/jvm")) ? Files.list(Path.of("/usr/lib/jvm")) : Stream.empty()) {
            return jvms.filter(p -> p.getFileName().toString().startsWith("temurin-25")
                    && Files.exists(p.resolve("bin/jlink"))).findFirst().orElse(Path.of(System.getProperty("java.home")));
        }
    }

    private static int javaVersion(Path javaHome) throws IOException {
        Path release = javaHome.resolve("release");
        if (Files.exists(release)) {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring(line.indexOf('"') + 1);
                    return Integer.parseInt(v.split("[.\"]")[0]);
                }
            }
        }
        return Runtime.version().feature();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
