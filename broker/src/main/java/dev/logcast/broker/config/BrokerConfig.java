package dev.logcast.broker.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The broker's configuration, parsed and validated: every key of {@link ConfigKeys} with its typed value.
 * Unset keys ({@code tls.cert} by default) are {@code null}. Immutable and safe to share. Built by
 * {@link ConfigLoader} from the file, the environment and the flags.
 */
public final class BrokerConfig {
    private final Map<String, Object> values;
    private final Map<String, ConfigSource> sources;

    /**
     * @param values  key name to typed value; a key that is unset (tls.cert by default) is absent
     * @param sources key name to where its value came from; absent means the default
     */
    BrokerConfig(Map<String, Object> values, Map<String, ConfigSource> sources) {
        this.values = Map.copyOf(values);
        this.sources = Map.copyOf(sources);
    }

    /** Every key at its default. */
    public static BrokerConfig defaults() {
        return ConfigLoader.load(null, Map.of(), Map.of());
    }

    /** A copy with some keys set from their text form, as a flag would set them (tests use this). */
    public BrokerConfig with(Map<String, String> overrides) {
        return ConfigLoader.load(null, Map.of(), overrides, this);
    }

    /** The typed value of {@code key}. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) values.get(key.name());
    }

    /** Where the value of {@code key} came from: the default, the file, the environment or a flag. */
    public ConfigSource source(ConfigKey<?> key) {
        return sources.getOrDefault(key.name(), ConfigSource.DEFAULT);
    }

    public String bind() { return get(ConfigKeys.BIND); }
    public int port() { return get(ConfigKeys.PORT); }
    public Path dataDir() { return get(ConfigKeys.DATA_DIR); }
    public String authMode() { return get(ConfigKeys.AUTH_MODE); }
    public Path authKeys() { return get(ConfigKeys.AUTH_KEYS); }
    public String storage() { return get(ConfigKeys.STORAGE); }
    public String journalFsync() {
        return get(ConfigKeys.JOURNAL_FSYNC);
    }

    public long journalFsyncIntervalMs() {
        return get(ConfigKeys.JOURNAL_FSYNC_INTERVAL);
    }

    public long journalSegmentBytes() {
        return get(ConfigKeys.JOURNAL_SEGMENT_BYTES);
    }

    public long retentionBytes() { return get(ConfigKeys.RETENTION_BYTES); }
    public long retentionAgeMs() { return get(ConfigKeys.RETENTION_AGE); }
    public long streamHeartbeatMs() { return get(ConfigKeys.STREAM_HEARTBEAT); }
    public long streamLingerMs() { return get(ConfigKeys.STREAM_LINGER); }
    public long streamRetryMs() { return get(ConfigKeys.STREAM_RETRY); }
    public long streamMaxPendingBytes() { return get(ConfigKeys.STREAM_MAX_PENDING); }
    public boolean streamGzip() { return get(ConfigKeys.STREAM_GZIP); }
    public long ingestMaxBodyBytes() { return get(ConfigKeys.INGEST_MAX_BODY); }
    public int ingestMaxEvents() { return get(ConfigKeys.INGEST_MAX_EVENTS); }
    public long ingestMaxMsgBytes() { return get(ConfigKeys.INGEST_MAX_MSG); }
    public int ingestMaxAttrs() { return get(ConfigKeys.INGEST_MAX_ATTRS); }
    public int ingestMaxAttrKeyChars() { return get(ConfigKeys.INGEST_MAX_ATTR_KEY); }
    public long ingestMaxAttrValueBytes() { return get(ConfigKeys.INGEST_MAX_ATTR_VALUE); }
    public int ingestQueueEvents() { return get(ConfigKeys.INGEST_QUEUE_EVENTS); }
    public long ringBytes() { return get(ConfigKeys.RING_BYTES); }
    /**
     * The ring's event bound. Unset, it is {@value ConfigKeys#RING_EVENTS_WITH_JOURNAL} with {@code storage=disk}:
     * the journal replays anything older, and every event the ring holds is one more object the garbage collector
     * copies; with {@code storage=memory} the ring is all the retention there is, and the key's default applies.
     */
    public int ringEvents() {
        if (source(ConfigKeys.RING_EVENTS).kind() == ConfigSource.Kind.DEFAULT && "disk".equals(storage())) {
            return ConfigKeys.RING_EVENTS_WITH_JOURNAL;
        }
        return get(ConfigKeys.RING_EVENTS);
    }
    public int httpMaxInitialLine() { return (int) (long) get(ConfigKeys.HTTP_MAX_INITIAL_LINE); }
    public int httpMaxHeaderBytes() { return (int) (long) get(ConfigKeys.HTTP_MAX_HEADER); }
    public long httpRequestTimeoutMs() { return get(ConfigKeys.HTTP_REQUEST_TIMEOUT); }
    public long httpIdleTimeoutMs() { return get(ConfigKeys.HTTP_IDLE_TIMEOUT); }
    public int ioThreads() { return get(ConfigKeys.IO_THREADS); }
    public List<String> corsOrigins() { return get(ConfigKeys.CORS_ORIGINS); }
    public Path tlsCert() { return get(ConfigKeys.TLS_CERT); }
    public Path tlsKey() { return get(ConfigKeys.TLS_KEY); }
    public int tlsPort() { return get(ConfigKeys.TLS_PORT); }
    public long shutdownGraceMs() { return get(ConfigKeys.SHUTDOWN_GRACE); }
}
