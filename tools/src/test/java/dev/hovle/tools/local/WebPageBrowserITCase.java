package dev.hovle.tools.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.schemas.FinishReason;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Timings;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmResult;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.LocalMetrics;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page of {@code hovle run} in a real browser (Debian's headless Chromium through its chromedriver): it shows a
 * committed caption, a version once the training job's gate promotes it, rolls a version back through the page, and
 * renders a caption that contains markup as text. Skipped only where Chromium is absent and CI is not the caller.
 */
class WebPageBrowserITCase {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String INJECTED = "<script>window.hovleInjected = 1</script><img src=x "
            + "onerror=\"window.hovleInjected = 2\">";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(LocalMetrics.configure(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path work;

    @Test
    void showsCaptionsPromotedVersionsAndMarkupAsTextInABrowser() throws Exception {
        boolean chromium = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        assumeTrue(chromium || System.getenv("CI") != null, "no /usr/bin/chromium with chromedriver "
                + "(apt-get install chromium chromium-driver); CI installs them and never skips this test");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        LocalRuntime runtime = LocalRuntime.builder().setOut(out).optWorkDir(work).optRate(2).optWebPort(0)
                .optSamplesDir(Path.of("..", "samples")).build();
        Thread running = new Thread(() -> {
            try {
                runtime.run();
            } catch (Exception e) {
                out.println("FAILED " + e);
            }
        });
        running.start();
        WebDriver browser = null;
        try {
            String url = awaitPrinted(printed, Pattern.compile("web: (http://localhost:\\d+/)"), Duration.ofSeconds(60));
            browser = chromium();
            browser.get(url);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90));

            String caption = shown(wait, By.cssSelector("article.result[data-task='CAPTION'] .text"), WebElement::getText);
            assertThat(caption).isNotBlank();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("article.result img")));
            assertThat(browser.findElement(By.id("connection")).getText()).isEqualTo("live");

            // The gate promotes the first version after 25 steps of 16 samples; the stream sends 96 a second.
            String version = shown(new WebDriverWait(browser, Duration.ofSeconds(150)),
                    By.cssSelector("li.version[data-status='PROMOTED']"), e -> e.getAttribute("data-version"));
            assertThat(version).isNotBlank();
            String servers = Files.readString(work.resolve("local").resolve("bootstrap-servers")).strip();
            sendCaption(servers, "req-markup", INJECTED, version);
            assertThat(shown(wait, By.cssSelector("article.result[data-request='req-markup'] .text"), WebElement::getText))
                    .isEqualTo(INJECTED);
            assertThat(((JavascriptExecutor) browser).executeScript("return window.hovleInjected === undefined"))
                    .isEqualTo(true);
            screenshot(browser, "web-page.png");

            click(browser, By.cssSelector("li.version[data-status='PROMOTED'][data-version='" + version + "']"));
            wait.until(ExpectedConditions.elementToBeClickable(By.id("rollback-button")));
            click(browser, By.id("rollback-button"));
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rollback-outcome"),
                    "published ROLLED_BACK of " + version));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                    "li.version[data-status='ROLLED_BACK'][data-version='" + version + "']")));
        } finally {
            if (browser != null) {
                browser.quit();
            }
            runtime.stop();
            assertThat(runtime.awaitStopped(Duration.ofSeconds(60))).isTrue();
            running.join();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("FAILED");
    }

    /** Clicks what {@code where} finds, finding it again if the page re-rendered it in between. */
    private static void click(WebDriver browser, By where) {
        for (int attempt = 1; ; attempt++) {
            try {
                browser.findElement(where).click();
                return;
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root in a container: no sandbox; /dev/shm is small there.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).build();
        return new ChromeDriver(service, options);
    }

    /** Publishes a caption as the job would, with {@code text} as the model's output. */
    private static void sendCaption(String servers, String requestId, String text, String version) throws Exception {
        Instant now = Instant.now();
        VlmResult result = VlmResult.newBuilder().setRequestId(requestId).setTask(Task.CAPTION).setImageIds(List.of())
                .setText(text).setFinishReason(FinishReason.STOP).setPromptTokens(1).setGeneratedTokens(1)
                .setModelVersion(version).setTimings(Timings.newBuilder().setQueueMillis(0).setPreprocessMillis(0)
                        .setPrefillMillis(0).setDecodeMillis(0).build())
                .setEventTime(now).setProcessingTime(now).build();
        try (EventProducer producer = EventProducer.connect(servers)) {
            producer.sendRaw(Topic.RESULTS.defaultName(), requestId.getBytes(StandardCharsets.UTF_8),
                    EventCodec.of(VlmResult.class).encode(result)).get();
        }
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String awaitPrinted(ByteArrayOutputStream printed, Pattern pattern, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Matcher m = pattern.matcher(printed.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not printed within " + timeout + ": " + pattern + "\n"
                + printed.toString(StandardCharsets.UTF_8));
    }

    /**
     * What {@code read} gives of the first element {@code selector} finds once it is shown and not blank. The page
     * re-renders its lists as events arrive, so an element found a moment ago may be stale: find and read it again.
     */
    private static String shown(WebDriverWait wait, By selector, java.util.function.Function<WebElement, String> read) {
        return wait.ignoring(StaleElementReferenceException.class).until(driver -> {
            WebElement element = driver.findElement(selector);
            String value = element.isDisplayed() ? read.apply(element) : null;
            return value == null || value.isBlank() ? null : value;
        });
    }
}
