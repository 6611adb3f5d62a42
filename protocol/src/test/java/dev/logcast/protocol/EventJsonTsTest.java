package dev.logcast.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventJsonTsTest {
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void writesRfc3339UtcWithMillis() {
        assertThat(EventJson.formatTs(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(EventJson.formatTs(1_795_555_925_123L)).isEqualTo("2026-11-24T21:32:05.123Z");
        assertThat(EventJson.formatTs(-1)).isEqualTo("1969-12-31T23:59:59.999Z");
        assertThat(EventJson.formatTs(951_782_400_000L)).isEqualTo("2000-02-29T00:00:00.000Z");
    }

    @Test
    void agreesWithTheJdkFormatterEverywhere() {
        SplittableRandom random = new SplittableRandom(42);
        long[] edges = {Long.MIN_VALUE / 1000, -62_167_219_200_001L, -62_167_219_200_000L, 253_402_300_799_999L,
                253_402_300_800_000L, Long.MAX_VALUE / 1000};
        for (long ts : edges) {
            assertThat(EventJson.formatTs(ts)).as("ts %d", ts).isEqualTo(REFERENCE.format(Instant.ofEpochMilli(ts)));
        }
        for (int i = 0; i < 200_000; i++) {
            long ts = random.nextLong(-70_000_000_000_000L, 260_000_000_000_000L);
            assertThat(EventJson.formatTs(ts)).as("ts %d", ts).isEqualTo(REFERENCE.format(Instant.ofEpochMilli(ts)));
        }
    }
}
