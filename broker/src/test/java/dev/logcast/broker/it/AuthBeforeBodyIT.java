package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.HmacKeys;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An ingest request is judged on its headers: a client without a valid token is refused before its body is
 * buffered, and is never told to send it.
 */
class AuthBeforeBodyIT {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void expectContinueWithoutATokenGets401NotAnInvitationToSendTheBody() throws Exception {
        HmacKeys keys = HmacKeys.create("k1");
        try (BrokerFixture broker = BrokerFixture.start(keys.settings());
             BrokerFixture.RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 4000000\r\nExpect: 100-continue\r\n\r\n");
            BrokerFixture.RawResponse response = c.readResponse();
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(response.json()).containsKey("error");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void refusedBodyIsDroppedAndTheConnectionServesTheNextRequestInOrder() throws Exception {
        HmacKeys keys = HmacKeys.create("k1");
        try (BrokerFixture broker = BrokerFixture.start(keys.settings());
             BrokerFixture.RawConnection c = broker.connect()) {
            byte[] body = ("[" + "{\"msg\":\"x\"},".repeat(200_000) + "{\"msg\":\"y\"}]")
                    .getBytes(StandardCharsets.UTF_8);
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
                    + "lc1.nope.nope.nope\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.write(body);
            c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(401);
            assertThat(c.readResponse().status()).isEqualTo(200);
            assertThat(broker.get("/metrics?access_token=x").statusCode()).isEqualTo(401);
        }
    }
}
