package dev.logcast.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.bind()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.authMode()).isEqualTo("hmac");
        assertThat(config.authKeys()).isEqualTo(Path.of("./data/keys"));
        assertThat(config.get(ConfigKeys.AUTH_CLOCK_SKEW)).isEqualTo(60_000L);
        assertThat(config.get(ConfigKeys.AUTH_CACHE_SIZE)).isEqualTo(10_000);
        assertThat(config.get(ConfigKeys.AUTH_FAILURES_PER_MINUTE)).isEqualTo(30);
        assertThat(config.storage()).isEqualTo("disk");
        assertThat(config.journalFsync()).isEqualTo("interval");
        assertThat(config.retentionBytes()).isEqualTo(1L << 30);
        assertThat(config.retentionAgeMs()).isEqualTo(24 * 3_600_000L);
        assertThat(config.streamHeartbeatMs()).isEqualTo(15_000L);
        assertThat(config.streamRetryMs()).isEqualTo(3_000L);
        assertThat(config.streamMaxPendingBytes()).isEqualTo(4L << 20);
        assertThat(config.streamGzip()).isTrue();
        assertThat(config.ingestMaxBodyBytes()).isEqualTo(8L << 20);
        assertThat(config.ingestMaxEvents()).isEqualTo(10_000);
        assertThat(config.ingestMaxMsgBytes()).isEqualTo(64L << 10);
        assertThat(config.ingestMaxAttrs()).isEqualTo(64);
        assertThat(config.ingestMaxAttrKeyChars()).isEqualTo(128);
        assertThat(config.ingestMaxAttrValueBytes()).isEqualTo(4L << 10);
        assertThat(config.ingestQueueEvents()).isEqualTo(200_000);
        assertThat(config.ringBytes()).isEqualTo(64L << 20);
        assertThat(config.get(ConfigKeys.RING_EVENTS)).isEqualTo(100_000);
        // with the journal (the default storage) the unset ring is smaller; memory storage keeps the key's default
        assertThat(config.ringEvents()).isEqualTo(ConfigKeys.RING_EVENTS_WITH_JOURNAL);
        assertThat(config.with(Map.of("storage", "memory")).ringEvents()).isEqualTo(100_000);
        assertThat(config.with(Map.of("ring.events", "100000")).ringEvents()).as("set explicitly").isEqualTo(100_000);
        assertThat(config.httpMaxInitialLine()).isEqualTo(8 << 10);
        assertThat(config.httpMaxHeaderBytes()).isEqualTo(16 << 10);
        assertThat(config.httpRequestTimeoutMs()).isEqualTo(30_000L);
        assertThat(config.httpIdleTimeoutMs()).isEqualTo(60_000L);
        assertThat(config.ioThreads()).isZero();
        assertThat(config.corsOrigins()).isEmpty();
        assertThat(config.tlsCert()).isNull();
        assertThat(config.tlsKey()).isNull();
        assertThat(config.tlsPort()).isEqualTo(7443);
        assertThat(config.shutdownGraceMs()).isEqualTo(10_000L);
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat(config.source(key)).isEqualTo(ConfigSource.DEFAULT);
        }
    }

    @Test
    void badValueNamesKeyValueProblemAndSource() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LOGCAST_STREAM_HEARTBEAT", "fast"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("stream.heartbeat: \"fast\" is not a duration (use a whole number with ms, s, m or h,"
                        + " e.g. 15s) (from env LOGCAST_STREAM_HEARTBEAT)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "70000")))
                .hasMessage("port: \"70000\" is above the maximum 65535 (from flag --port)");
        Path conf = write("stream.heartbeat = 50ms\n");
        assertThatThrownBy(() -> ConfigLoader.load(conf, Map.of(), Map.of()))
                .hasMessage("stream.heartbeat: \"50ms\" is below the minimum 100ms (from file " + conf + ")");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigLoader.load(write("port=x\nbogus=1\n"), Map.of("LOGCAST_AUTH_MODE", "jwt"),
                        Map.of("ingest.max.body", "0")));
        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems().get(0)).startsWith("bogus: unknown key (from file ");
        assertThat(e.problems().get(1)).startsWith("port: \"x\" is not a whole number (from file ");
        assertThat(e.problems().get(2)).isEqualTo("auth.mode: \"jwt\" is not one of none, hmac (from env LOGCAST_AUTH_MODE)");
        assertThat(e.problems().get(3)).isEqualTo("ingest.max.body: \"0\" is below the minimum 1B (from flag --ingest.max.body)");
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    }

    @Test
    void unknownKeyInTheFileStopsWithASuggestion() {
        Path conf = write("stream.hearbeat=15s\n");
        assertThatThrownBy(() -> ConfigLoader.load(conf, Map.of(), Map.of()))
                .hasMessage("stream.hearbeat: unknown key (from file " + conf + "); did you mean stream.heartbeat?");
    }

    @Test
    void unknownLogcastVariableStopsWithASuggestion() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LOGCAST_STREAM_HEARBEAT", "15s"), Map.of()))
                .hasMessage("stream.hearbeat: unknown key (from env LOGCAST_STREAM_HEARBEAT);"
                        + " did you mean LOGCAST_STREAM_HEARTBEAT?");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LOGCAST_WIDGETS", "3"), Map.of()))
                .hasMessage("widgets: unknown key (from env LOGCAST_WIDGETS)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LOGCAST_port", "1"), Map.of()))
                .hasMessageContaining("did you mean LOGCAST_PORT?");
    }

    @Test
    void unknownFlagStops() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("prot", "1")))
                .hasMessage("prot: unknown key (from flag --prot); did you mean port?");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("nope", "1")))
                .hasMessageStartingWith("nope: unknown key (from flag --nope)");
    }

    @Test
    void launcherVariablesAndOtherVariablesAreNotKeys() {
        Map<String, String> env = Map.of("LOGCAST_CONFIG", "/nowhere", "LOGCAST_JAVA_OPTS", "-Xmx2g",
                "LOGCAST_OPTS", "-ea", "PATH", "/usr/bin", "HOME", "/root", "XLOGCAST_PORT", "x");
        assertThat(ConfigLoader.load(null, env, Map.of()).port()).isEqualTo(7070);
        assertThat(ConfigLoader.NON_KEY_VARIABLES).containsExactlyInAnyOrder(
                "LOGCAST_CONFIG", "LOGCAST_JAVA_OPTS", "LOGCAST_OPTS");
    }

    @Test
    void unknownStorageModeIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LOGCAST_STORAGE", "tape"), Map.of()))
                .hasMessageStartingWith("storage: \"tape\"").hasMessageContaining("LOGCAST_STORAGE");
    }

    @Test
    void authKeysDefaultFollowsTheFinalDataDir() {
        assertThat(ConfigLoader.load(null, Map.of("LOGCAST_DATA_DIR", "/var/lib/logcast"), Map.of()).authKeys())
                .isEqualTo(Path.of("/var/lib/logcast/keys"));
        BrokerConfig fileKeysFlagDir = ConfigLoader.load(write("auth.keys=/etc/logcast/keys\n"), Map.of(),
                Map.of("data.dir", "/srv/logcast"));
        assertThat(fileKeysFlagDir.authKeys()).isEqualTo(Path.of("/etc/logcast/keys"));
        assertThat(fileKeysFlagDir.source(ConfigKeys.AUTH_KEYS).kind()).isEqualTo(ConfigSource.Kind.FILE);
        BrokerConfig emptied = ConfigLoader.load(write("auth.keys=/etc/logcast/keys\n"), Map.of(),
                Map.of("data.dir", "/srv/logcast", "auth.keys", ""));
        assertThat(emptied.authKeys()).isEqualTo(Path.of("/srv/logcast/keys"));
    }

    @Test
    void withOverridesOnTopOfItsBaseAndRederivesAuthKeys() {
        BrokerConfig base = ConfigLoader.load(null, Map.of("LOGCAST_PORT", "8080"), Map.of("data.dir", "/a"));
        BrokerConfig moved = base.with(Map.of("data.dir", "/b"));
        assertThat(moved.port()).isEqualTo(8080);
        assertThat(moved.source(ConfigKeys.PORT)).isEqualTo(new ConfigSource(ConfigSource.Kind.ENV, "LOGCAST_PORT"));
        assertThat(moved.dataDir()).isEqualTo(Path.of("/b"));
        assertThat(moved.authKeys()).isEqualTo(Path.of("/b/keys"));
        BrokerConfig pinned = base.with(Map.of("auth.keys", "/k")).with(Map.of("data.dir", "/c"));
        assertThat(pinned.authKeys()).isEqualTo(Path.of("/k"));
        assertThat(base.port()).isEqualTo(8080);
        assertThat(base.dataDir()).isEqualTo(Path.of("/a"));
    }

    @Test
    void tlsNeedsCertAndKeyTogether() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("tls.cert", file("cert.pem"))))
                .hasMessage("tls.key: not set, but tls.cert is (from flag --tls.cert); TLS needs both");
    }

    @Test
    void tlsFilesMustBeReadable() {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("tls.cert", missing.toString(), "tls.key", dir.toString())))
                .hasMessageContaining("tls.cert: \"" + missing + "\" is not a readable file (from flag --tls.cert)")
                .hasMessageContaining("tls.key: \"" + dir + "\" is not a readable file (from flag --tls.key)");
    }

    @Test
    void tlsPortMustDifferFromThePort() {
        Map<String, String> flags = Map.of("tls.cert", file("c.pem"), "tls.key", file("k.pem"), "tls.port", "7070");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), flags))
                .hasMessage("tls.port: 7070 is also the HTTP port (from flag --tls.port)");
        BrokerConfig ephemeral = ConfigLoader.load(null, Map.of(), Map.of("tls.cert", file("c.pem"),
                "tls.key", file("k.pem"), "tls.port", "0", "port", "0"));
        assertThat(ephemeral.tlsCert()).isEqualTo(dir.resolve("c.pem"));
        assertThat(ephemeral.tlsPort()).isZero();
    }

    @Test
    void fileValuesAreTrimmedAndReadAsUtf8() throws IOException {
        Path conf = dir.resolve("\u00e9t\u00e9.conf");
        Files.writeString(conf, "# comment\nport = 8081   \ndata.dir=/srv/\u00e9t\u00e9\ncors.origins=\n",
                StandardCharsets.UTF_8);
        BrokerConfig config = ConfigLoader.load(conf, Map.of(), Map.of());
        assertThat(config.port()).isEqualTo(8081);
        assertThat(config.dataDir()).isEqualTo(Path.of("/srv/\u00e9t\u00e9"));
        assertThat(config.corsOrigins()).isEqualTo(List.of());
        assertThat(config.source(ConfigKeys.CORS_ORIGINS).kind()).isEqualTo(ConfigSource.Kind.FILE);
    }

    @Test
    void unreadableFileStopsNamingTheFile() throws IOException {
        Path missing = dir.resolve("absent.conf");
        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), Map.of()))
                .hasMessage("config file " + missing + ": no such file");
        Path latin1 = dir.resolve("latin1.conf");
        Files.write(latin1, new byte[] {'b', 'i', 'n', 'd', '=', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> ConfigLoader.load(latin1, Map.of(), Map.of()))
                .hasMessage("config file " + latin1 + ": not UTF-8 text");
        Path badEscape = write("bind=\\u12\n");
        assertThatThrownBy(() -> ConfigLoader.load(badEscape, Map.of(), Map.of()))
                .hasMessageStartingWith("config file " + badEscape + ": cannot be read");
    }

    @Test
    void emptyValueOfAKeyThatNeedsOneIsABadValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LOGCAST_DATA_DIR", " "), Map.of()))
                .hasMessage("data.dir: \"\" is empty (a path is needed) (from env LOGCAST_DATA_DIR)");
    }

    private String file(String name) {
        try {
            return Files.writeString(dir.resolve(name), "pem\n").toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String text) {
        try {
            return Files.writeString(Files.createTempFile(dir, "logcast", ".conf"), text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
