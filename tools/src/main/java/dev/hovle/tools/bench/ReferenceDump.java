package dev.hovle.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images prepared by {@code tools/scripts/pillow_prepare.py --dump DIR}: {@code manifest.json} and, per image,
 * its 8-bit tiles ({@code [n, S, S, 3]} bytes) and its pixel values ({@code [n, 3, S, S]} little-endian float32).
 * Tensors are read one image at a time, when compared, so a large set never sits in memory whole.
 */
record ReferenceDump(Path dir, int maxTiles, int tileSize, String versions, List<Image> images) {

    /** One image of the dump: the file it came from, its size, the grid the official code chose, its tensors. */
    record Image(String file, int width, int height, int cols, int rows, long[] shape, Path tiles, Path pixelValues) {

        /** The 8-bit tiles, all of them, in model order (grid row-major, then the thumbnail). */
        byte[] readTiles() throws IOException {
            return Files.readAllBytes(tiles);
        }

        /** The pixel values, flattened in {@code [n, 3, S, S]} order. */
        float[] readPixelValues() throws IOException {
            byte[] raw = Files.readAllBytes(pixelValues);
            float[] values = new float[raw.length / Float.BYTES];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }
    }

    static ReferenceDump read(Path dir) throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        List<Image> images = new ArrayList<>();
        for (JsonNode image : manifest.path("images")) {
            JsonNode shape = image.path("shape");
            long[] dims = new long[shape.size()];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = shape.get(d).asLong();
            }
            images.add(new Image(image.path("file").asText(), image.path("size_wh").path(0).asInt(),
                    image.path("size_wh").path(1).asInt(), image.path("grid_cols_rows").path(0).asInt(),
                    image.path("grid_cols_rows").path(1).asInt(), dims, dir.resolve(image.path("tiles").asText()),
                    dir.resolve(image.path("pixel_values").asText())));
        }
        String versions = "Pillow " + manifest.path("pillow").asText("?") + ", torch " + manifest.path("torch").asText("?");
        return new ReferenceDump(dir, manifest.path("max_num").asInt(), manifest.path("image_size").asInt(), versions,
                List.copyOf(images));
    }
}
