package dev.hovle.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hovle.pipeline.kafka.ModelLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page of the stream: pictures with their captions and answers, the model version timeline with the
 * gate's reasons, training curves, throughput, lag and dead letters, pushed to the browser as server-sent events.
 * It reads committed records only (read_committed) and the jobs' metrics where given; its one write is a rollback,
 * through {@link ModelLine#rollback} like {@code hovle models rollback}.
 *
 * <pre>{@code
 * try (WebServer web = WebServer.builder().setBootstrapServers("localhost:9092").optPort(8077).build().start()) {
 *     System.out.println("web: " + web.url());
 *     ...
 * }
 * }</pre>
 *
 * <p>Bound to the loopback address by default, and then it answers only requests addressed to a loopback name, so a
 * web site in the same browser cannot reach it through DNS rebinding. Every string from the stream reaches the page
 * as JSON and is shown as text; pictures are re-encoded here as PNG; the content security policy allows no inline
 * script; a rollback needs a confirmation header no cross-site form can send.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /** The default port of the page. */
    public static final int DEFAULT_PORT = 8077;
    static final String CONFIRM_HEADER = "X-Hovle-Confirm";
    private static final int MAX_ROLLBACK_BODY = 4096;
    private static final int MAX_FIELD = 500;
    private static final Duration LAG_EVERY = Duration.ofSeconds(5);
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/app.js", "app.js", "/app.css", "app.css");

    private final Builder b;
    private final ObjectMapper json = new ObjectMapper();
    private final StreamView view = new StreamView();
    private final EventStream events = new EventStream(json);
    private final HttpServer http;
    private final ExecutorService handlers;
    private final ScheduledExecutorService ticks;
    private final TopicFollower follower;
    private final Thread following;
    private final ConsumerLag lag;
    private final String uplotDir;
    private volatile Long lastLag;
    private volatile long lagReadNanos;

    private WebServer(Builder b) throws IOException {
        this.b = b;
        this.uplotDir = webjarDir("uplot");
        this.follower = new TopicFollower(b.bootstrapServers, b.topics, b.fromBeginning, view);
        this.lag = new ConsumerLag(b.bootstrapServers, b.groupId, List.of(b.topics.images(), b.topics.requests()));
        this.http = HttpServer.create(new InetSocketAddress(b.bindAddress, b.port), 64);
        AtomicInteger n = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(r -> daemon(r, "hovle-web-" + n.incrementAndGet()));
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hovle-web-stats"));
        this.following = daemon(follower, "hovle-web-topics");
        http.setExecutor(handlers);
        http.createContext("/", this::handle);
        view.subscribe(events);
    }

    /** A builder; the bootstrap servers are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts serving and following the topics; returns once every topic reader has its partitions. */
    public WebServer start() {
        follower.awaitAssignment();
        following.start();
        ticks.scheduleAtFixedRate(() -> view.publishStats(stats()), 1, 1, TimeUnit.SECONDS);
        http.start();
        return this;
    }

    /** Where the page is, e.g. {@code http://localhost:8077/}. */
    public URI url() {
        InetSocketAddress at = http.getAddress();
        String host = at.getAddress().isLoopbackAddress() ? "localhost"
                : at.getAddress().isAnyLocalAddress() ? hostName() : at.getAddress().getHostAddress();
        return URI.create("http://" + host + ":" + at.getPort() + "/");
    }

    /** The port the page listens on (the chosen one when the builder asked for any free port). */
    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        events.close();
        http.stop(0);
        handlers.shutdownNow();
        follower.close();
        try {
            following.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lag.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            var headers = exchange.getResponseHeaders();
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("Content-Security-Policy", CSP);
            if (!hostAllowed(exchange)) {
                text(exchange, 421, "this page answers only to a loopback host name: open " + url());
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/api/rollback")) {
                if (!method.equals("POST")) {
                    text(exchange, 405, "use POST");
                    return;
                }
                rollback(exchange);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                text(exchange, 405, "use GET");
                return;
            }
            if (STATIC.containsKey(path)) {
                resource(exchange, "dev/hovle/web/static/" + STATIC.get(path));
            } else if (path.equals("/vendor/uPlot.js")) {
                resource(exchange, uplotDir + "dist/uPlot.iife.min.js");
            } else if (path.equals("/vendor/uPlot.css")) {
                resource(exchange, uplotDir + "dist/uPlot.min.css");
            } else if (path.equals("/api/state")) {
                send(exchange, 200, "application/json", json.writeValueAsBytes(view.snapshot(stats())));
            } else if (path.equals("/api/events")) {
                events.serve(exchange);
            } else if (path.startsWith("/images/")) {
                image(exchange, path.substring("/images/".length()));
            } else {
                text(exchange, 404, "no such page");
            }
        } catch (IOException e) {
            LOG.debug("a page request ended early", e);
        } catch (RuntimeException e) {
            LOG.warn("a page request failed", e);
        }
    }

    private void image(HttpExchange exchange, String imageId) throws IOException {
        Optional<byte[]> png = view.preview(imageId);
        if (png.isEmpty()) {
            text(exchange, 404, "no preview of this image (unknown, no longer held, stored by URI, or not an image)");
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=60");
        send(exchange, 200, "image/png", png.get());
    }

    /**
     * {@code POST /api/rollback} with {@code {"model": ..., "version": ..., "reason": ...}}. The confirmation header
     * must repeat the version: browsers send no custom header across sites without asking, and this server never
     * says yes, so another site cannot roll back a version behind the user's back.
     */
    private void rollback(HttpExchange exchange) throws IOException {
        if (!b.rollbackEnabled) {
            text(exchange, 403, "rollback is switched off for this page");
            return;
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin != null && !origin.equals("http://" + host)) {
            text(exchange, 403, "cross-origin rollback refused");
            return;
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            text(exchange, 415, "send the rollback as application/json");
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_ROLLBACK_BODY + 1);
        }
        if (body.length > MAX_ROLLBACK_BODY) {
            text(exchange, 413, "a rollback request is at most " + MAX_ROLLBACK_BODY + " bytes");
            return;
        }
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (IOException e) {
            text(exchange, 400, "the rollback request is not JSON");
            return;
        }
        String version = field(request, "version");
        String model = field(request, "model");
        String reason = field(request, "reason");
        if (version == null || version.isBlank() || version.length() > MAX_FIELD
                || model != null && model.length() > MAX_FIELD || reason != null && reason.length() > MAX_FIELD) {
            text(exchange, 400, "a rollback names a version (and optionally a model and a reason), each at most "
                    + MAX_FIELD + " characters");
            return;
        }
        if (!version.equals(exchange.getRequestHeaders().getFirst(CONFIRM_HEADER))) {
            text(exchange, 428, "confirm the rollback: the " + CONFIRM_HEADER + " header must repeat the version");
            return;
        }
        ModelLine.RollbackOutcome outcome;
        try {
            outcome = new ModelLine(b.bootstrapServers, b.topics.modelUpdates()).rollback(model, version,
                    reason == null || reason.isBlank() ? "rolled back from the web page" : reason, Instant.now());
        } catch (Exception e) {
            LOG.warn("a rollback from the page failed", e);
            text(exchange, 502, "the rollback could not be published to " + b.topics.modelUpdates()
                    + "; see the server's log");
            return;
        }
        String kind = outcome instanceof ModelLine.RollbackOutcome.Published ? "published"
                : outcome instanceof ModelLine.RollbackOutcome.AlreadyDone ? "already-done" : "refused";
        send(exchange, outcome instanceof ModelLine.RollbackOutcome.Refused ? 409 : 200, "application/json",
                json.writeValueAsBytes(Map.of("outcome", kind, "message", outcome.message())));
    }

    private StreamView.Stats stats() {
        Map<String, Double> gauges;
        try {
            gauges = b.gauges.read();
        } catch (RuntimeException e) {
            LOG.debug("the jobs' gauges could not be read", e);
            gauges = Map.of();
        }
        long now = System.nanoTime();
        if (now - lagReadNanos > LAG_EVERY.toNanos()) {
            lagReadNanos = now;
            try {
                lastLag = lag.records();
            } catch (Exception e) {
                LOG.debug("the consumer lag could not be read", e);
                lastLag = null;
            }
        }
        return view.stats(gauges, lastLag);
    }

    private boolean hostAllowed(HttpExchange exchange) {
        if (!http.getAddress().getAddress().isLoopbackAddress()) {
            return true; // bound to a routable address on purpose: whoever reaches it may use it
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return false;
        }
        int colon = host.lastIndexOf(':');
        String name = colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
        return LOOPBACK_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    private void resource(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = WebServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                text(exchange, 404, "no such file");
                return;
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8" : "application/octet-stream";
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void text(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() || !value.isTextual() ? null : value.asText();
    }

    /** The resource folder of a webjar on the class path, e.g. {@code META-INF/resources/webjars/uplot/1.6.30/}. */
    private static String webjarDir(String artifact) throws IOException {
        String pom = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = WebServer.class.getClassLoader().getResourceAsStream(pom)) {
            if (in == null) {
                throw new IOException("the " + artifact + " webjar is not on the class path (" + pom + ")");
            }
            Properties props = new Properties();
            props.load(in);
            return "META-INF/resources/webjars/" + artifact + "/" + props.getProperty("version") + "/";
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Builds a {@link WebServer}. */
    public static final class Builder {
        private String bootstrapServers;
        private Topics topics = Topics.DEFAULTS;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private JobGauges gauges = JobGauges.NONE;
        private boolean fromBeginning;
        private String groupId = "hovle-inference";
        private boolean rollbackEnabled = true;

        private Builder() {}

        /** The Kafka cluster whose topics the page shows (required). */
        public Builder setBootstrapServers(String value) {
            this.bootstrapServers = value;
            return this;
        }

        /** The topic names (default: the jobs' defaults). */
        public Builder optTopics(Topics value) {
            this.topics = Objects.requireNonNull(value, "topics");
            return this;
        }

        /**
         * The address to listen on (default: loopback only). Any other address serves everyone who can reach it,
         * rollbacks included: put an authenticating proxy in front, or switch rollbacks off.
         */
        public Builder optBindAddress(InetAddress value) {
            this.bindAddress = Objects.requireNonNull(value, "bindAddress");
            return this;
        }

        /** The port (default {@value WebServer#DEFAULT_PORT}; 0 for any free one). */
        public Builder optPort(int value) {
            this.port = value;
            return this;
        }

        /** Where the jobs' metrics come from (default: none; the page shows what the topics say). */
        public Builder optGauges(JobGauges value) {
            this.gauges = Objects.requireNonNull(value, "gauges");
            return this;
        }

        /** Read results, requests, images and dead letters from the topics' beginning (default: from now). */
        public Builder optFromBeginning(boolean value) {
            this.fromBeginning = value;
            return this;
        }

        /** The inference job's consumer group, for the lag (default {@code hovle-inference}). */
        public Builder optGroupId(String value) {
            this.groupId = Objects.requireNonNull(value, "groupId");
            return this;
        }

        /** Whether the page may roll versions back (default true). */
        public Builder optRollbackEnabled(boolean value) {
            this.rollbackEnabled = value;
            return this;
        }

        /** The server with its port bound; it answers requests from {@link WebServer#start()} on. */
        public WebServer build() throws IOException {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalStateException("WebServer needs setBootstrapServers(host:port,...)");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, not " + port);
            }
            return new WebServer(this);
        }
    }
}
