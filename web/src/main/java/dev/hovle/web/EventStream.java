package dev.hovle.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Server-sent events to open pages: each change of the {@link StreamView} is serialized once and queued for every
 * page. A page that does not keep up is disconnected rather than buffered without bound; its browser reconnects by
 * itself and reloads the whole state, so it loses nothing it would show.
 */
final class EventStream implements Consumer<StreamView.Change>, AutoCloseable {
    /** Open pages at most: each holds a server thread. */
    static final int MAX_PAGES = 32;
    private static final int QUEUED_PER_PAGE = 2048;
    private static final long KEEPALIVE_SECONDS = 15;
    private static final String CLOSE = "";

    private final ObjectMapper json;
    private final Set<BlockingQueue<String>> pages = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    EventStream(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void accept(StreamView.Change change) {
        String frame;
        try {
            frame = "event: " + change.type() + "\ndata: " + json.writeValueAsString(change.data()) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a page event did not serialize", e);
        }
        for (BlockingQueue<String> page : pages) {
            if (!page.offer(frame)) {
                pages.remove(page);
                page.clear();
                page.offer(CLOSE);
            }
        }
    }

    /** Streams changes to one page until it goes away or the server closes; answers 503 past {@link #MAX_PAGES}. */
    void serve(HttpExchange exchange) throws IOException {
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUED_PER_PAGE);
        if (closed || pages.size() >= MAX_PAGES) {
            exchange.sendResponseHeaders(503, -1);
            return;
        }
        pages.add(queue);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            write(out, "retry: 2000\n\n");
            while (!closed) {
                String frame = queue.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (frame == CLOSE) {
                    return;
                }
                write(out, frame == null ? ": keep-alive\n\n" : frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the page went away
        } finally {
            pages.remove(queue);
        }
    }

    int openPages() {
        return pages.size();
    }

    private static void write(OutputStream out, String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        for (BlockingQueue<String> page : pages) {
            page.clear();
            page.offer(CLOSE);
        }
    }
}
