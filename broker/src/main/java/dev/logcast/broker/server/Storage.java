package dev.logcast.broker.server;

import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.core.BrokerCore;
import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.EventJournal;
import dev.logcast.broker.core.EventRecord;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.journal.FsyncPolicy;
import dev.logcast.broker.journal.Journal;
import dev.logcast.broker.journal.JournalSettings;
import dev.logcast.broker.journal.JournalStore;
import dev.logcast.broker.journal.RecoveryReport;
import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Where acknowledged events live: {@code storage=disk} opens (and recovers) the journal under
 * {@code data.dir/journal}; {@code storage=memory} has none. Wiring and lifecycle only.
 */
final class Storage {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());
    /** At most this many recent events are read back into the memory ring at start. */
    private static final int PRELOAD_MAX = 100_000;
    /** What one read of the preload holds at most, besides the ring. */
    private static final int PRELOAD_CHUNK_EVENTS = 512;
    private static final long PRELOAD_CHUNK_BYTES = 4 << 20;

    private final JournalStore store;
    private final ExecutorService replayReader;
    private final long firstIdAfter;
    private final long firstIssuedId;
    private boolean closed;

    private Storage(JournalStore store, ExecutorService replayReader, long firstIdAfter, long firstIssuedId) {
        this.store = store;
        this.replayReader = replayReader;
        this.firstIdAfter = firstIdAfter;
        this.firstIssuedId = firstIssuedId;
    }

    static Storage open(BrokerConfig config, ByteBufAllocator alloc, BrokerMetrics metrics) {
        if (!"disk".equals(config.storage())) {
            // ids still increase across restarts unless the broker averaged over a million events a second
            long floor = System.currentTimeMillis() * 1000;
            return new Storage(null, null, floor, floor + 1);
        }
        Path dir = config.dataDir().resolve("journal");
        JournalSettings settings = new JournalSettings(config.journalSegmentBytes(), config.retentionBytes(),
                config.retentionAgeMs(), JournalSettings.defaults(config.retentionBytes(), config.retentionAgeMs())
                        .indexEveryBytes());
        Journal journal;
        try {
            journal = Journal.open(dir, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("storage=disk: cannot open the journal in " + dir + ": " + e.getMessage(),
                    e);
        }
        RecoveryReport r = journal.recovery();
        LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT,
                "journal %s: recovered %d events in %d segments (ids %d..%d)%s in %d ms", dir, r.events(),
                r.segments(), r.firstId(), r.lastId(),
                r.truncatedBytes() > 0 ? ", truncated a damaged tail of " + r.truncatedBytes() + " bytes" : "",
                r.millis()));
        metrics.gauge("logcast_journal_recovery_seconds", "Time the last start took to recover the journal",
                () -> r.millis() / 1000.0);
        metrics.gauge("logcast_journal_bytes", "Bytes in the journal's segments", journal::bytes);
        metrics.gauge("logcast_journal_segments", "Journal segment files", journal::segments);
        FsyncPolicy policy = FsyncPolicy.valueOf(config.journalFsync().toUpperCase(Locale.ROOT));
        JournalStore store = new JournalStore(journal, policy, config.journalFsyncIntervalMs(), alloc,
                metrics::fsyncSeconds);
        ExecutorService reader = Executors.newSingleThreadExecutor(new DefaultThreadFactory("logcast-replay", true));
        // a fresh journal starts at 1; ids continue after the last stored one, and after a crash above every id that
        // may have been given out (the journal's tail may be lost, the ids shown from it must not come back)
        return new Storage(store, reader, Math.max(journal.lastId(), journal.reservedId()), 1);
    }

    /** Why the journal cannot store events right now (a full disk), or null: ready. Any thread. */
    String failure() {
        return store == null ? null : store.failure();
    }

    EventJournal journal() {
        return store;
    }

    ExecutorService replayReader() {
        return replayReader;
    }

    long firstIdAfter() {
        return firstIdAfter;
    }

    long firstIssuedId() {
        return firstIssuedId;
    }

    /**
     * Reads the newest stored events back into the ring, so tail and recent resumes are served from memory. It reads
     * chunk by chunk into the ring, which keeps to its bounds as it goes, so a journal of large events cannot take
     * more memory at start than the ring may hold; and it starts no further back than about twice the ring's bytes
     * of records.
     */
    void preload(BrokerCore core, int ringEvents, long ringBytes) {
        if (store == null || store.journal().lastId() == 0) {
            return;
        }
        Journal journal = store.journal();
        long stored = Math.max(1, journal.lastId() - journal.firstId() + 1);
        long bytesPerEvent = Math.max(1, journal.bytes() / stored);
        long wanted = Math.min(Math.min(ringEvents, PRELOAD_MAX), Math.max(1, 2 * ringBytes / bytesPerEvent));
        long after = Math.max(journal.firstId() - 1, journal.lastId() - wanted);
        int chunkEvents = (int) Math.max(1, Math.min(PRELOAD_CHUNK_EVENTS, PRELOAD_CHUNK_BYTES / bytesPerEvent));
        List<EventRecord> records = new ArrayList<>();
        try {
            while (after < journal.committedId()) {
                // the replay read: a chunk's frames encoded together into one block
                // a damaged stretch is skipped (and logged): the ring simply lacks those ids, as retention would
                long cursor = store.read(after, journal.committedId(), chunkEvents, PRELOAD_CHUNK_BYTES,
                        EventFilter.ALL, records, new long[2]);
                core.preload(records);
                records.clear();
                if (cursor <= after) {
                    break;
                }
                after = cursor;
            }
        } catch (IOException | RuntimeException e) {
            for (EventRecord record : records) {
                record.release();
            }
            LOG.log(System.Logger.Level.WARNING, "could not read recent events back into memory; replays read the"
                    + " journal instead: " + e);
        }
    }

    /** Connects the journal's outcomes to the sequencer; before the core starts. */
    void start(Sequencer sequencer) {
        if (store != null) {
            store.start(sequencer);
        }
    }

    /** Flushes, fsyncs and closes the journal; after the core has stopped. Idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (replayReader != null) {
            replayReader.shutdownNow();
            try {
                replayReader.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "closing the journal failed", e);
            }
        }
    }
}
