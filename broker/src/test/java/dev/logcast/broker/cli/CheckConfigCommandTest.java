package dev.logcast.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.config.ConfigKey;
import dev.logcast.broker.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsEveryKeyAtItsDefault() {
        CliRun run = CliRun.run(Map.of(), "check-config");
        assertThat(run.exitCode).isZero();
        assertThat(run.err).isEmpty();
        List<String> lines = lines(run.out);
        assertThat(lines.get(0)).isEqualTo("# no config file");
        assertThat(lines).hasSize(1 + ConfigKeys.all().size());
        assertThat(lines).contains(
                row("bind", "127.0.0.1", "default"),
                row("port", "7070", "default"),
                row("auth.mode", "hmac", "default"),
                row("auth.keys", "./data/keys", "default"),
                row("auth.clock.skew", "1m", "default"),
                row("retention.age", "24h", "default"),
                row("stream.max.pending", "4MiB", "default"),
                row("cors.origins", "(none)", "default"),
                row("ring.events", "20000", "default"),
                row("tls.cert", "(unset)", "default"));
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat(lines).anyMatch(line -> line.startsWith(key.name() + " "));
        }
    }

    @Test
    void showsWhereEachValueCameFrom() throws IOException {
        Path conf = Files.writeString(dir.resolve("logcast.conf"), "port=8001\nbind=0.0.0.0\nstream.retry=5s\n");
        CliRun run = CliRun.run(Map.of("LOGCAST_PORT", "8002", "LOGCAST_DATA_DIR", "/var/lib/logcast"),
                "check-config", "--config", conf.toString(), "--port", "8003", "--auth.mode", "none");
        assertThat(run.exitCode).isZero();
        assertThat(lines(run.out)).contains(
                "# config file " + conf,
                row("port", "8003", "flag --port"),
                row("auth.mode", "none", "flag --auth.mode"),
                row("data.dir", "/var/lib/logcast", "env LOGCAST_DATA_DIR"),
                row("auth.keys", "/var/lib/logcast/keys", "default"),
                row("bind", "0.0.0.0", "file " + conf),
                row("stream.retry", "5s", "file " + conf),
                row("stream.heartbeat", "15s", "default"));
    }

    @Test
    void readsTheFileNamedByLogcastConfigUnlessConfigIsGiven() throws IOException {
        Path fromEnv = Files.writeString(dir.resolve("env.conf"), "port=8101\n");
        Path fromFlag = Files.writeString(dir.resolve("flag.conf"), "port=8102\n");
        Map<String, String> env = Map.of("LOGCAST_CONFIG", fromEnv.toString());
        assertThat(lines(CliRun.run(env, "check-config").out)).contains(row("port", "8101", "file " + fromEnv));
        assertThat(lines(CliRun.run(env, "check-config", "--config", fromFlag.toString()).out))
                .contains(row("port", "8102", "file " + fromFlag));
        assertThat(lines(CliRun.run(Map.of("LOGCAST_CONFIG", ""), "check-config").out)).contains("# no config file");
    }

    @Test
    void badConfigurationPrintsEveryProblemAndExits2() {
        CliRun run = CliRun.run(Map.of("LOGCAST_STREAM_HEARTBEAT", "fast"), "check-config", "--port", "http");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(lines(run.err)).containsExactly(
                "stream.heartbeat: \"fast\" is not a duration (use a whole number with ms, s, m or h, e.g. 15s)"
                        + " (from env LOGCAST_STREAM_HEARTBEAT)",
                "port: \"http\" is not a whole number (from flag --port)");
    }

    @Test
    void missingConfigFileExits2() {
        CliRun run = CliRun.run(Map.of("LOGCAST_CONFIG", dir.resolve("none.conf").toString()), "check-config");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.strip()).isEqualTo("config file " + dir.resolve("none.conf") + ": no such file");
    }

    @Test
    void unknownFlagIsAUsageError() {
        CliRun run = CliRun.run(Map.of(), "check-config", "--stream.hartbeat", "1s");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--stream.hartbeat");
    }

    /** A line of the table: keys padded to the longest key name, so that the columns line up. */
    private static String row(String key, String value, String source) {
        int width = ConfigKeys.all().stream().mapToInt(k -> k.name().length()).max().orElseThrow();
        return String.format("%-" + width + "s %-24s %s", key, value, source);
    }

    private static List<String> lines(String text) {
        return Arrays.asList(text.split("\\R"));
    }
}
