package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void agreesWithJavaTimeOnRandomDateTimesAndOffsets() {
        Random random = new Random(7);
        DateTimeFormatter format = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
        for (int i = 0; i < 50_000; i++) {
            long seconds = random.nextLong(-62_135_596_800L + 86_400, 253_402_300_799L - 86_400);
            int nanos = random.nextInt(1_000_000_000) / 1000 * 1000;
            // java.time stops at +-18:00; RFC 3339 offsets run to +-23:59 (the parser's own tests cover those)
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(35) - 17) * 3600
                    + random.nextInt(4) * 15 * 60 * (random.nextBoolean() ? 1 : -1));
            OffsetDateTime t = OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(seconds, nanos), offset);
            String text = format.format(t).replace("+00:00", random.nextBoolean() ? "Z" : "+00:00");
            assertThat(Timestamps.parseRfc3339(text)).as(text).isEqualTo(t.toInstant().toEpochMilli());
        }
    }

    @Test
    void rangeIsYearsZeroToNineThousandNineHundredNinetyNine() {
        assertThat(Timestamps.parseRfc3339("0000-01-01T00:00:00Z")).isEqualTo(Timestamps.MIN_MILLIS);
        assertThat(Timestamps.parseRfc3339("9999-12-31T23:59:59.999Z")).isEqualTo(Timestamps.MAX_MILLIS);
        assertThat(Timestamps.parseRfc3339("9999-12-31T23:59:59.999-00:01")).isEqualTo(Timestamps.INVALID);
        assertThat(Timestamps.parseRfc3339("2000-02-29T00:00:00Z")).isEqualTo(951_782_400_000L);
        assertThat(Timestamps.parseRfc3339("1900-02-29T00:00:00Z")).isEqualTo(Timestamps.INVALID);
    }
}
