package dev.hovle.model.train;

import dev.hovle.model.dataset.ConversationDataset;
import dev.hovle.model.vision.InvalidImageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves batches in {@link DataOrder} from a run position, encoding the next few on a background thread while the
 * model trains on the current one (the data work runs beside PyTorch's compute thread).
 */
public final class BatchLoader implements AutoCloseable {
    private final ConversationDataset data;
    private final ConversationDataset warmup;
    private final long warmupSamples;
    private final SampleEncoder encoder;
    private final DataOrder order;
    private final int batchSize;
    private final int prefetch;
    private final ExecutorService worker;
    private final Deque<CompletableFuture<Batch>> ahead = new ArrayDeque<>();
    private long nextToQueue;
    private long position;

    /**
     * @param position the run position of the first batch's first sample (the trainer's {@code samplesSeen})
     * @param prefetch batches encoded ahead
     */
    public BatchLoader(ConversationDataset data, SampleEncoder encoder, long seed, int batchSize, long position,
            int prefetch) {
        this(data, null, 0, encoder, seed, batchSize, position, prefetch);
    }

    /**
     * A loader with a curriculum: run positions before {@code warmupSamples} come from {@code warmup} (easier
     * samples, e.g. pictures of one shape), later ones from {@code data}; both must have the same size.
     */
    public BatchLoader(ConversationDataset data, ConversationDataset warmup, long warmupSamples, SampleEncoder encoder,
            long seed, int batchSize, long position, int prefetch) {
        if (warmup != null && warmup.size() != data.size()) {
            throw new IllegalArgumentException("the warm-up dataset has " + warmup.size() + " samples, the main one "
                    + data.size());
        }
        this.data = data;
        this.warmup = warmup;
        this.warmupSamples = warmup == null ? 0 : warmupSamples;
        this.encoder = encoder;
        this.order = new DataOrder(seed, data.size());
        this.batchSize = batchSize;
        this.prefetch = Math.max(1, prefetch);
        this.position = position;
        this.nextToQueue = position;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hovle-batch-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** The next batch of {@code batchSize} samples. */
    public Batch next() {
        while (ahead.size() < prefetch) {
            long first = nextToQueue;
            ahead.add(CompletableFuture.supplyAsync(() -> encode(first), worker));
            nextToQueue += batchSize;
        }
        try {
            Batch batch = ahead.poll().join();
            position += batchSize;
            return batch;
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The run position of the next sample served. */
    public long position() {
        return position;
    }

    private Batch encode(long first) {
        List<EncodedSample> samples = new ArrayList<>(batchSize);
        for (long p = first; p < first + batchSize; p++) {
            int index = order.indexAt(p);
            try {
                samples.add(encoder.encode((p < warmupSamples ? warmup : data).get(index)));
            } catch (InvalidImageException e) {
                throw new IllegalArgumentException("sample " + index + ": " + e.getMessage(), e);
            }
        }
        return new Batch(samples);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
