package dev.logcast.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigKeysTest {
    /** The sample file, from the broker module's directory, where Maven runs the tests. */
    private static final Path SAMPLE = Path.of("..", "conf", "logcast.conf");

    static Stream<Arguments> keys() {
        return ConfigKeys.all().stream().map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("keys")
    void defaultTextParsesBackToTheDefault(ConfigKey<?> key) {
        if (key.defaultValue() != null) {
            assertThat((Object) key.parse(key.defaultText())).isEqualTo(key.defaultValue());
        }
    }

    @ParameterizedTest
    @MethodSource("keys")
    void namesAreDottedLowerCaseAndMapToOneVariable(ConfigKey<?> key) {
        assertThat(key.name()).matches("[a-z]+(\\.[a-z]+)*");
        assertThat(key.envName()).isEqualTo("LOGCAST_" + key.name().toUpperCase().replace('.', '_'));
        assertThat(key.flagName()).isEqualTo("--" + key.name());
        assertThat(ConfigKeys.byName(key.name())).containsSame(key);
        assertThat(key.description()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void closestSuggestsTyposOnly() {
        assertThat(ConfigKeys.closest("stream.hartbeat")).containsSame(ConfigKeys.STREAM_HEARTBEAT);
        assertThat(ConfigKeys.closest("data_dir")).containsSame(ConfigKeys.DATA_DIR);
        assertThat(ConfigKeys.closest("widgets")).isEmpty();
    }

    @Test
    void sampleFileListsEveryKeyCommentedOutAtItsDefaultWithItsMeaning() throws IOException {
        List<String> lines = Files.readAllLines(SAMPLE);
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String expected = "#" + key.name() + "=" + (key.defaultValue() == null ? "" : key.defaultText());
            int at = lines.indexOf(expected);
            assertThat(at).as(expected).isPositive();
            assertThat(lines.get(at - 1)).isEqualTo("# " + key.description());
        }
        assertThat(lines.stream().filter(line -> !line.isBlank() && !line.startsWith("#"))).isEmpty();
    }

    @Test
    void sampleFileUncommentedLoadsToTheDefaults(@TempDir Path dir) throws IOException {
        String uncommented = Files.readAllLines(SAMPLE).stream()
                .map(line -> line.matches("#[a-z.]+=.*") ? line.substring(1) : line)
                .collect(Collectors.joining("\n"));
        Path conf = Files.writeString(dir.resolve("logcast.conf"), uncommented);
        BrokerConfig loaded = ConfigLoader.load(conf, Map.of(), Map.of());
        BrokerConfig defaults = BrokerConfig.defaults();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat((Object) loaded.get(key)).as(key.name()).isEqualTo(defaults.get(key));
            assertThat(loaded.source(key).kind()).as(key.name()).isEqualTo(ConfigSource.Kind.FILE);
        }
    }
}
