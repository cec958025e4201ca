package dev.hovle.operators.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.operators.images.ImageReadException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageUriPolicyTest {
    private final ImageUriPolicy policy = new ImageUriPolicy(List.of("file:///data/images", "s3://photos/in/"));

    @Test
    void allowsUrisUnderAConfiguredPrefix() throws Exception {
        assertThat(policy.check("file:///data/images/cat.jpg")).isEqualTo("file:///data/images/cat.jpg");
        assertThat(policy.check("file:/data/images/a/b.png")).isEqualTo("file:///data/images/a/b.png");
        assertThat(policy.check("S3://photos/in/x.webp")).isEqualTo("s3://photos/in/x.webp");
    }

    @Test
    void refusesEveryUriWhenNoPrefixIsConfigured() {
        assertThatThrownBy(() -> new ImageUriPolicy(List.of()).check("file:///data/images/cat.jpg"))
                .isInstanceOfSatisfying(ImageReadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining("hovle.images.uri-prefixes");
    }

    @Test
    void refusesUrisOutsideThePrefixes() {
        for (String uri : List.of("file:///etc/passwd", "file:///dev/zero", "file:///data/images-private/a.png",
                "s3://photos/other/a.png", "hdfs://photos/in/a.png", "http://169.254.169.254/latest")) {
            assertThatThrownBy(() -> policy.check(uri)).as(uri).isInstanceOf(ImageReadException.class)
                    .hasMessageContaining(uri);
        }
    }

    @Test
    void refusesPathsThatWalkOutOfAPrefix() {
        for (String uri : List.of("file:///data/images/../../etc/passwd", "file:///data/images/%2e%2e/secret",
                "file:///data/images/./a.png", "file:///data/images//a.png", "data/images/a.png",
                "file:///data/images/a.png?x=1", "not a uri")) {
            assertThatThrownBy(() -> policy.check(uri)).as(uri).isInstanceOfSatisfying(ImageReadException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED));
        }
    }

    @Test
    void refusesAMalformedPrefixAtConfiguration() {
        assertThatThrownBy(() -> new ImageUriPolicy(List.of("images/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hovle.images.uri-prefixes entry images/");
    }
}
