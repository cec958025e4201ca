package dev.hovle.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test access to the golden model cases: their folders, {@code case.json} and I64 tensors of case.safetensors. */
public final class GoldenCases {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenCases() {
    }

    /** The golden directory: system property {@code hovle.golden.dir}, else {@code ../shared/golden} of the repo. */
    public static Path goldenDir() {
        String property = System.getProperty("hovle.golden.dir");
        if (property != null) {
            return Path.of(property);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("model"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("../shared/golden").normalize();
    }

    /** Every folder under {@code models/}, sorted by name. */
    public static List<Path> modelCases() {
        try (Stream<Path> dirs = Files.list(goldenDir().resolve("models"))) {
            List<Path> cases = dirs.filter(Files::isDirectory).sorted().toList();
            if (cases.isEmpty()) {
                throw new IllegalStateException("no golden model cases under " + goldenDir());
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode caseJson(Path caseDir) {
        try {
            return JSON.readTree(caseDir.resolve("case.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An I64 tensor of {@code case.safetensors}, flattened to ints. */
    public static int[] int64Tensor(Path caseDir, String name) {
        try (FileChannel channel = FileChannel.open(caseDir.resolve("case.safetensors"))) {
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            int headerLength = (int) lengthBytes.flip().getLong();
            ByteBuffer headerBytes = ByteBuffer.allocate(headerLength);
            readFully(channel, headerBytes, 8);
            JsonNode entry = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8)).get(name);
            if (entry == null || !"I64".equals(entry.path("dtype").asText())) {
                throw new IllegalArgumentException("no I64 tensor '" + name + "' in " + caseDir);
            }
            long begin = entry.get("data_offsets").get(0).asLong();
            long end = entry.get("data_offsets").get(1).asLong();
            ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, data, 8 + headerLength + begin);
            data.flip();
            int[] values = new int[data.remaining() / 8];
            for (int i = 0; i < values.length; i++) {
                values[i] = Math.toIntExact(data.getLong());
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("case.safetensors ends early");
            }
        }
    }
}
