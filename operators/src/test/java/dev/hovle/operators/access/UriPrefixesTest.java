package dev.hovle.operators.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UriPrefixesTest {
    private final UriPrefixes policy = new UriPrefixes(List.of("file:///data/images", "s3://photos/in/"),
            "hovle.images.uri-prefixes");

    @Test
    void allowsUrisUnderAConfiguredPrefix() throws Exception {
        assertThat(policy.check("file:///data/images/cat.jpg", "image URI")).isEqualTo("file:///data/images/cat.jpg");
        assertThat(policy.check("file:/data/images/a/b.png", "image URI")).isEqualTo("file:///data/images/a/b.png");
        assertThat(policy.check("S3://photos/in/x.webp", "image URI")).isEqualTo("s3://photos/in/x.webp");
    }

    @Test
    void refusesEveryUriWhenNoPrefixIsConfigured() {
        assertThatThrownBy(() -> new UriPrefixes(List.of(), "hovle.images.uri-prefixes")
                .check("file:///data/images/cat.jpg", "image URI"))
                .isInstanceOf(UriRefusedException.class)
                .hasMessageContaining("image URI file:///data/images/cat.jpg").hasMessageContaining("hovle.images.uri-prefixes");
    }

    @Test
    void refusesUrisOutsideThePrefixes() {
        for (String uri : List.of("file:///etc/passwd", "file:///dev/zero", "file:///data/images-private/a.png",
                "s3://photos/other/a.png", "hdfs://photos/in/a.png", "http://169.254.169.254/latest")) {
            assertThatThrownBy(() -> policy.check(uri, "image URI")).as(uri).isInstanceOf(UriRefusedException.class)
                    .hasMessageContaining(uri);
        }
    }

    @Test
    void refusesPathsThatWalkOutOfAPrefix() {
        for (String uri : List.of("file:///data/images/../../etc/passwd", "file:///data/images/%2e%2e/secret",
                "file:///data/images/./a.png", "file:///data/images//a.png", "data/images/a.png",
                "file:///data/images/a.png?x=1", "not a uri")) {
            assertThatThrownBy(() -> policy.check(uri, "image URI")).as(uri).isInstanceOf(UriRefusedException.class);
        }
    }

    @Test
    void refusesAMalformedPrefixAtConfiguration() {
        assertThatThrownBy(() -> new UriPrefixes(List.of("images/"), "hovle.images.uri-prefixes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hovle.images.uri-prefixes entry images/");
    }
}
