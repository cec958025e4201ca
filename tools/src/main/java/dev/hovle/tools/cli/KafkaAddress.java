package dev.hovle.tools.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the CLI tools find Kafka: the option, else the broker a local {@code hovle run} wrote down, else 9092. */
final class KafkaAddress {
    private static final Path LOCAL_RUN = Path.of("work", "local", "bootstrap-servers");

    private KafkaAddress() {}

    static String resolve(String option) throws IOException {
        if (option != null) {
            return option;
        }
        if (Files.exists(LOCAL_RUN)) {
            return Files.readString(LOCAL_RUN).strip();
        }
        return "localhost:9092";
    }
}
