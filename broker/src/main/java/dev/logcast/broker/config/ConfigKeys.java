package dev.logcast.broker.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every configuration key of the broker, in the order {@code conf/logcast.conf} and {@code check-config} list them.
 *
 * <p>Durations are {@code long} milliseconds written with {@code ms}, {@code s}, {@code m} or {@code h}
 * ({@link Durations}); sizes are {@code long} bytes written bare or with {@code B}, {@code KiB}, {@code MiB},
 * {@code GiB} ({@link Sizes}).
 */
public final class ConfigKeys {
    private static final long KIB = 1L << 10;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final long SECOND_MS = 1000;
    private static final long HOUR_MS = 3600 * SECOND_MS;
    private static final int MAX_INT = Integer.MAX_VALUE;

    public static final ConfigKey<String> BIND = key("bind", ValueParsers.bindAddress(), "127.0.0.1",
            "address to listen on: an IP literal or host name; 0.0.0.0 or :: for every interface");
    public static final ConfigKey<Integer> PORT = key("port", ValueParsers.port(), 7070,
            "HTTP port; 0 picks a free port");
    public static final ConfigKey<Path> DATA_DIR = key("data.dir", ValueParsers.path(), Path.of("./data"),
            "state directory: the key file and, with storage=disk, the journal; created on start");
    public static final ConfigKey<String> AUTH_MODE = key("auth.mode", ValueParsers.oneOf("none", "hmac"), "hmac",
            "hmac: every request but health checks needs a signed token; none: no checks, anyone may read and write");
    public static final ConfigKey<Path> AUTH_KEYS = new ConfigKey<>("auth.keys",
            ValueParsers.optional(ValueParsers.path()), null, "<data.dir>/keys",
            "HMAC key file, one '<kid> <base64 secret>' a line, made (0600) on first start; empty = data.dir/keys");
    public static final ConfigKey<Long> AUTH_CLOCK_SKEW = key("auth.clock.skew", Durations.parser(0, HOUR_MS),
            60 * SECOND_MS, "leeway between clocks: a token is taken this long past its exp, and an iat this far ahead");
    public static final ConfigKey<Integer> AUTH_CACHE_SIZE = key("auth.cache.size",
            ValueParsers.integer(0, 10_000_000), 10_000,
            "verified tokens remembered until they expire, so a request per event costs no HMAC; 0 = verify each");
    public static final ConfigKey<Integer> AUTH_FAILURES_PER_MINUTE = key("auth.failures.per.minute",
            ValueParsers.integer(0, 1_000_000), 30,
            "failed authentications one address (an IPv6 /64) may make per minute; beyond, 429; 0 = no limit");
    public static final ConfigKey<String> STORAGE = key("storage", ValueParsers.oneOf("memory", "disk"), "disk",
            "disk: a 202 means the events are in the journal under data.dir; memory: only in the ring, lost on restart");
    public static final ConfigKey<String> JOURNAL_FSYNC = key("journal.fsync",
            ValueParsers.oneOf("always", "interval", "never"), "interval",
            "always: the 202 waits for fsync (survives power loss); interval: written to the OS before the 202, "
                    + "fsync every journal.fsync.interval (survives a process crash); never: the OS decides");
    public static final ConfigKey<Long> JOURNAL_FSYNC_INTERVAL = key("journal.fsync.interval",
            Durations.parser(1, HOUR_MS), 100L, "with journal.fsync=interval, how often the journal is fsynced");
    public static final ConfigKey<Long> JOURNAL_SEGMENT_BYTES = key("journal.segment.bytes",
            Sizes.parser(64 * KIB, GIB), 64 * MIB,
            "journal segment file size; retention deletes whole segments");
    public static final ConfigKey<Long> RETENTION_BYTES = key("retention.bytes", Sizes.parser(1, Long.MAX_VALUE), GIB,
            "retained events are dropped, oldest first, beyond this many bytes");
    public static final ConfigKey<Long> RETENTION_AGE = key("retention.age", Durations.parser(1, Long.MAX_VALUE),
            24 * HOUR_MS, "retained events older than this are dropped");
    public static final ConfigKey<Long> STREAM_HEARTBEAT = key("stream.heartbeat", Durations.parser(100, HOUR_MS),
            15 * SECOND_MS, "a stream that sent nothing for this long gets a comment line, so proxies keep it open");
    public static final ConfigKey<Long> STREAM_RETRY = key("stream.retry", Durations.parser(100, HOUR_MS),
            3 * SECOND_MS, "reconnect delay the stream's first 'retry:' line asks browsers to wait");
    public static final ConfigKey<Long> STREAM_LINGER = key("stream.linger", Durations.parser(0, SECOND_MS), 1L,
            "events that come less than this after the last delivery wait this long and go out together; 0: at once");
    public static final ConfigKey<Long> STREAM_MAX_PENDING = key("stream.max.pending", Sizes.parser(1, Long.MAX_VALUE),
            4 * MIB, "bytes a slow stream may have unsent before it gets 'event: overflow' and is closed");
    public static final ConfigKey<Boolean> STREAM_GZIP = key("stream.gzip", ValueParsers.bool(), true,
            "gzip the event stream for clients that send Accept-Encoding: gzip");
    public static final ConfigKey<Long> INGEST_MAX_BODY = key("ingest.max.body", Sizes.parser(1, MAX_INT), 8 * MIB,
            "largest request body, after decompression; larger gets 413");
    public static final ConfigKey<Integer> INGEST_MAX_EVENTS = key("ingest.max.events",
            ValueParsers.integer(1, MAX_INT), 10_000, "most events (or OTLP records) in one request; more gets 413");
    public static final ConfigKey<Long> INGEST_MAX_MSG = key("ingest.max.msg", Sizes.parser(1, MAX_INT), 64 * KIB,
            "longest msg of an event, in UTF-8 bytes");
    public static final ConfigKey<Integer> INGEST_MAX_ATTRS = key("ingest.max.attrs", ValueParsers.integer(0, MAX_INT),
            64, "most attrs entries in an event");
    public static final ConfigKey<Integer> INGEST_MAX_ATTR_KEY = key("ingest.max.attr.key",
            ValueParsers.integer(1, MAX_INT), 128, "longest attr key, in characters");
    public static final ConfigKey<Long> INGEST_MAX_ATTR_VALUE = key("ingest.max.attr.value", Sizes.parser(1, MAX_INT),
            4 * KIB, "longest attr value: UTF-8 bytes of a string, JSON text of a number or boolean");
    public static final ConfigKey<Integer> INGEST_QUEUE_EVENTS = key("ingest.queue.events",
            ValueParsers.integer(1, MAX_INT), 200_000,
            "events accepted but not yet sequenced; beyond it POSTs are shed with 503 and Retry-After");
    public static final ConfigKey<Long> RING_BYTES = key("ring.bytes", Sizes.parser(1, Long.MAX_VALUE), 64 * MIB,
            "memory ring of recent events for replay and tail=N: most bytes (older ones are read from the journal)");
    public static final ConfigKey<Integer> RING_EVENTS = key("ring.events", ValueParsers.integer(1, MAX_INT), 100_000,
            "memory ring of recent events for replay and tail=N: most events (older ones are read from the journal); "
                    + "unset with storage=disk: 20000");
    /** {@code ring.events} when it is not set and there is a journal ({@link BrokerConfig#ringEvents()}). */
    public static final int RING_EVENTS_WITH_JOURNAL = 20_000;
    public static final ConfigKey<Long> HTTP_MAX_INITIAL_LINE = key("http.max.initial.line", Sizes.parser(256, MAX_INT),
            8 * KIB, "longest HTTP request line: method, target (path and query) and version");
    public static final ConfigKey<Long> HTTP_MAX_HEADER = key("http.max.header", Sizes.parser(256, MAX_INT), 16 * KIB,
            "most bytes of the HTTP request headers, all together");
    public static final ConfigKey<Long> HTTP_REQUEST_TIMEOUT = key("http.request.timeout",
            Durations.parser(1, Long.MAX_VALUE), 30 * SECOND_MS,
            "headers and body of one request must arrive within this, or the connection is closed");
    public static final ConfigKey<Long> HTTP_IDLE_TIMEOUT = key("http.idle.timeout",
            Durations.parser(1, Long.MAX_VALUE), 60 * SECOND_MS,
            "a keep-alive connection with no request in progress is closed after this");
    public static final ConfigKey<Integer> IO_THREADS = key("io.threads", ValueParsers.integer(0, 1024), 0,
            "network event-loop threads; 0 = one per CPU core");
    public static final ConfigKey<List<String>> CORS_ORIGINS = key("cors.origins", ValueParsers.origins(), List.of(),
            "browser origins allowed to call the API, comma-separated (https://app.example.com or *); empty = none");
    public static final ConfigKey<Path> TLS_CERT = key("tls.cert", ValueParsers.optional(ValueParsers.path()), null,
            "PEM certificate chain; set with tls.key to also serve HTTPS on tls.port; empty = no TLS");
    public static final ConfigKey<Path> TLS_KEY = key("tls.key", ValueParsers.optional(ValueParsers.path()), null,
            "PEM private key of tls.cert");
    public static final ConfigKey<Integer> TLS_PORT = key("tls.port", ValueParsers.port(), 7443,
            "HTTPS port, used only when tls.cert is set; 0 picks a free port");
    public static final ConfigKey<Long> SHUTDOWN_GRACE = key("shutdown.grace", Durations.parser(0, HOUR_MS),
            10 * SECOND_MS, "on SIGTERM, time to finish in-flight work before connections are closed anyway");

    private static final List<ConfigKey<?>> ALL = List.of(
            BIND, PORT, DATA_DIR, AUTH_MODE, AUTH_KEYS, AUTH_CLOCK_SKEW, AUTH_CACHE_SIZE, AUTH_FAILURES_PER_MINUTE,
            STORAGE, JOURNAL_FSYNC, JOURNAL_FSYNC_INTERVAL, JOURNAL_SEGMENT_BYTES, RETENTION_BYTES, RETENTION_AGE,
            STREAM_HEARTBEAT, STREAM_RETRY, STREAM_LINGER, STREAM_MAX_PENDING, STREAM_GZIP,
            INGEST_MAX_BODY, INGEST_MAX_EVENTS, INGEST_MAX_MSG, INGEST_MAX_ATTRS, INGEST_MAX_ATTR_KEY,
            INGEST_MAX_ATTR_VALUE, INGEST_QUEUE_EVENTS, RING_BYTES, RING_EVENTS,
            HTTP_MAX_INITIAL_LINE, HTTP_MAX_HEADER, HTTP_REQUEST_TIMEOUT, HTTP_IDLE_TIMEOUT, IO_THREADS,
            CORS_ORIGINS, TLS_CERT, TLS_KEY, TLS_PORT, SHUTDOWN_GRACE);

    private static final Map<String, ConfigKey<?>> BY_NAME = byName();

    private ConfigKeys() {}

    /** Every key, in documentation order. */
    public static List<ConfigKey<?>> all() {
        return ALL;
    }

    /** The key named {@code name} (dotted, exact case). */
    public static Optional<ConfigKey<?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The key whose name is closest to the unknown {@code name}, when one is close enough to be a typo. */
    public static Optional<ConfigKey<?>> closest(String name) {
        ConfigKey<?> best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey<?> key : ALL) {
            int d = editDistance(name, key.name());
            if (d < bestDistance) {
                best = key;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? Optional.of(best) : Optional.empty();
    }

    private static <T> ConfigKey<T> key(String name, ValueParser<T> parser, T defaultValue, String description) {
        return new ConfigKey<>(name, parser, defaultValue, null, description);
    }

    private static Map<String, ConfigKey<?>> byName() {
        Map<String, ConfigKey<?>> map = new LinkedHashMap<>();
        for (ConfigKey<?> key : ALL) {
            if (map.put(key.name(), key) != null) {
                throw new ExceptionInInitializerError("duplicate key " + key.name());
            }
        }
        return Map.copyOf(map);
    }

    /** Levenshtein distance, case-insensitive. */
    private static int editDistance(String a, String b) {
        String s = a.toLowerCase(java.util.Locale.ROOT);
        String t = b.toLowerCase(java.util.Locale.ROOT);
        int[] previous = new int[t.length() + 1];
        int[] current = new int[t.length() + 1];
        for (int j = 0; j <= t.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= s.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= t.length(); j++) {
                int substitution = previous[j - 1] + (s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[t.length()];
    }
}
