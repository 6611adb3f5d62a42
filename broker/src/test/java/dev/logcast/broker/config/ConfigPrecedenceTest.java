package dev.logcast.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** For every key: flag over env over file over default, in value and in reported source. */
class ConfigPrecedenceTest {
    /** Three valid texts per key, for the file, the env and the flag; {@code @name} is a readable temp file. */
    private static final Map<String, List<String>> TEXTS = Map.ofEntries(
            Map.entry("bind", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3")),
            Map.entry("port", List.of("8001", "8002", "8003")),
            Map.entry("data.dir", List.of("/srv/a", "/srv/b", "/srv/c")),
            Map.entry("auth.mode", List.of("hmac", "none", "hmac")),
            Map.entry("auth.keys", List.of("/k/a", "/k/b", "/k/c")),
            Map.entry("auth.clock.skew", List.of("10s", "20s", "30s")),
            Map.entry("auth.cache.size", List.of("0", "10", "20")),
            Map.entry("auth.failures.per.minute", List.of("0", "5", "50")),
            Map.entry("storage", List.of("memory", "disk", "MEMORY")),
            Map.entry("journal.fsync", List.of("always", "never", "interval")),
            Map.entry("journal.fsync.interval", List.of("10ms", "20ms", "1s")),
            Map.entry("journal.segment.bytes", List.of("1MiB", "2MiB", "3MiB")),
            Map.entry("retention.bytes", List.of("1MiB", "2MiB", "3MiB")),
            Map.entry("retention.age", List.of("1h", "2h", "3h")),
            Map.entry("stream.heartbeat", List.of("1s", "2s", "3s")),
            Map.entry("stream.retry", List.of("1s", "2s", "4s")),
            Map.entry("stream.linger", List.of("0", "2ms", "5ms")),
            Map.entry("stream.max.pending", List.of("1MiB", "2MiB", "3MiB")),
            Map.entry("stream.gzip", List.of("false", "true", "false")),
            Map.entry("ingest.max.body", List.of("1MiB", "2MiB", "3MiB")),
            Map.entry("ingest.max.events", List.of("1", "2", "3")),
            Map.entry("ingest.max.msg", List.of("1KiB", "2KiB", "3KiB")),
            Map.entry("ingest.max.attrs", List.of("1", "2", "3")),
            Map.entry("ingest.max.attr.key", List.of("1", "2", "3")),
            Map.entry("ingest.max.attr.value", List.of("1KiB", "2KiB", "3KiB")),
            Map.entry("ingest.queue.events", List.of("1", "2", "3")),
            Map.entry("ring.bytes", List.of("1MiB", "2MiB", "3MiB")),
            Map.entry("ring.events", List.of("1", "2", "3")),
            Map.entry("http.max.initial.line", List.of("1KiB", "2KiB", "3KiB")),
            Map.entry("http.max.header", List.of("1KiB", "2KiB", "3KiB")),
            Map.entry("http.request.timeout", List.of("1s", "2s", "3s")),
            Map.entry("http.idle.timeout", List.of("1s", "2s", "3s")),
            Map.entry("io.threads", List.of("1", "2", "3")),
            Map.entry("cors.origins", List.of("https://a.example", "https://b.example", "https://c.example,*")),
            Map.entry("tls.cert", List.of("@cert-a", "@cert-b", "@cert-c")),
            Map.entry("tls.key", List.of("@key-a", "@key-b", "@key-c")),
            Map.entry("tls.port", List.of("9001", "9002", "9003")),
            Map.entry("shutdown.grace", List.of("1s", "2s", "3s")));

    @TempDir
    Path dir;

    static Stream<Arguments> keys() {
        return ConfigKeys.all().stream().map(Arguments::of);
    }

    @Test
    void everyKeyHasTestTexts() {
        assertThat(TEXTS.keySet())
                .containsExactlyInAnyOrderElementsOf(ConfigKeys.all().stream().map(ConfigKey::name).toList());
    }

    @ParameterizedTest
    @MethodSource("keys")
    void flagWinsOverEnvWhichWinsOverFileWhichWinsOverDefault(ConfigKey<?> key) throws IOException {
        List<String> texts = TEXTS.get(key.name()).stream().map(this::materialize).toList();
        Map<String, String> file = new HashMap<>(companions(key));
        file.put(key.name(), texts.get(0));
        Path conf = write(file);
        Map<String, String> env = Map.of(key.envName(), texts.get(1));
        Map<String, String> flags = Map.of(key.name(), texts.get(2));

        assertLayer(ConfigLoader.load(null, Map.of(), Map.of()), key, null, ConfigSource.Kind.DEFAULT);
        assertLayer(ConfigLoader.load(conf, Map.of(), Map.of()), key, texts.get(0), ConfigSource.Kind.FILE);
        assertLayer(ConfigLoader.load(conf, env, Map.of()), key, texts.get(1), ConfigSource.Kind.ENV);
        assertLayer(ConfigLoader.load(conf, env, flags), key, texts.get(2), ConfigSource.Kind.FLAG);
        Map<String, String> companionFlags = new HashMap<>(companions(key));
        companionFlags.putAll(flags);
        assertLayer(ConfigLoader.load(null, env, companionFlags), key, texts.get(2), ConfigSource.Kind.FLAG);
    }

    private void assertLayer(BrokerConfig config, ConfigKey<?> key, String text, ConfigSource.Kind kind) {
        Object expected = text == null ? key.defaultValue() : key.parse(text);
        if (key == ConfigKeys.AUTH_KEYS && text == null) {
            expected = config.dataDir().resolve("keys");
        }
        assertThat((Object) config.get(key)).as(key.name()).isEqualTo(expected);
        assertThat(config.source(key).kind()).as(key.name()).isEqualTo(kind);
        if (kind == ConfigSource.Kind.ENV) {
            assertThat(config.source(key).where()).isEqualTo(key.envName());
        }
        if (kind == ConfigSource.Kind.FLAG) {
            assertThat(config.source(key).where()).isEqualTo(key.flagName());
        }
    }

    /** TLS needs cert and key together: the other of the pair, set in the file, for the TLS keys' rows. */
    private Map<String, String> companions(ConfigKey<?> key) {
        if (key == ConfigKeys.TLS_CERT) {
            return Map.of(ConfigKeys.TLS_KEY.name(), materialize("@key"));
        }
        if (key == ConfigKeys.TLS_KEY) {
            return Map.of(ConfigKeys.TLS_CERT.name(), materialize("@cert"));
        }
        return Map.of();
    }

    private String materialize(String text) {
        if (!text.startsWith("@")) {
            return text;
        }
        try {
            Path file = dir.resolve(text.substring(1) + ".pem");
            if (!Files.exists(file)) {
                Files.writeString(file, "-----BEGIN TEST-----\n");
            }
            return file.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(Map<String, String> properties) throws IOException {
        Path file = Files.createTempFile(dir, "logcast", ".conf");
        Files.writeString(file, properties.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                .collect(Collectors.joining("\n", "", "\n")));
        return file;
    }
}
