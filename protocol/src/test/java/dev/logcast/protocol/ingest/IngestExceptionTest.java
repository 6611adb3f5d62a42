package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IngestExceptionTest {
    @Test
    void toJsonIsTheContractsErrorBody() {
        IngestException e = IngestException.badRequest(3, "event 3: field \"level\": unknown level \"loud\"");
        assertThat(new String(e.toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"event 3: field \\\"level\\\": unknown level \\\"loud\\\"\",\"index\":3}");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.index()).isEqualTo(3);
        assertThat(e.getMessage()).isEqualTo(e.error());
    }

    @Test
    void requestLevelErrorHasANullIndex() {
        IngestException e = IngestException.tooLarge(null, "more than 3 events in one request");
        assertThat(new String(e.toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"more than 3 events in one request\",\"index\":null}");
        assertThat(e.status()).isEqualTo(413);
    }

    @Test
    void controlCharactersInTheMessageAreEscapedInTheBody() {
        byte[] json = IngestException.badRequest(0, "a\nb\r\u0000\u2028").toJson();
        for (byte b : json) {
            assertThat(b).isNotIn((byte) '\n', (byte) '\r', (byte) 0);
        }
    }

    @Test
    void carriesNoStackTrace() {
        assertThat(IngestException.badRequest(null, "x").getStackTrace()).isEmpty();
    }

    @Test
    void onlyClientErrorStatusesAreAllowed() {
        assertThatThrownBy(() -> new IngestException(500, "x", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new IngestException(415, "unsupported", null).status()).isEqualTo(415);
    }
}
