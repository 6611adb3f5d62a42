package dev.logcast.broker.it;

import static dev.logcast.broker.it.AuthHttp.bearer;
import static dev.logcast.broker.it.AuthHttp.get;
import static dev.logcast.broker.it.AuthHttp.post;
import static dev.logcast.broker.it.AuthHttp.withToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.ChildBroker;
import dev.logcast.broker.testing.HmacKeys;
import dev.logcast.broker.testing.SseClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Key rotation on a real {@code logcast serve} process (signals and restarts need one): tokens of every listed kid
 * verify; a kid removed from the key file is revoked by a restart or by SIGHUP, and a SIGHUP drops no stream. After
 * a run with tokens in URLs, the broker's whole output and its data dir hold no token and no signature.
 */
@Timeout(60)
class AuthKeyRotationIT {
    private HmacKeys keys;
    private Path dataDir;
    private final List<ChildBroker> started = new ArrayList<>();

    @BeforeEach
    void keys() throws IOException {
        keys = HmacKeys.create("k1", "k2");
        dataDir = keys.file().getParent(); // auth.keys at its default: <data.dir>/keys
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildBroker s : started) {
            s.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** {@code logcast serve} in a child JVM with the default auth (hmac, keys at {@code <data.dir>/keys}). */
    private ChildBroker serve() throws Exception {
        ChildBroker s = ChildBroker.start(dataDir, Map.of("auth.mode", "hmac", "auth.failures.per.minute", "0",
                "shutdown.grace", "1s", "io.threads", "1"));
        started.add(s);
        return s;
    }

    @Test
    void sighupRevokesARemovedKidAndKeepsOpenStreams() throws Exception {
        ChildBroker broker = serve();
        String reader1 = keys.token("k1", "read", null, null, null);
        String admin2 = keys.token("k2", "admin", null, null, null);
        assertThat(get(broker.port(), "/v1/poll", bearer(reader1)).statusCode()).isEqualTo(200);
        assertThat(get(broker.port(), "/v1/poll", bearer(admin2)).statusCode()).isEqualTo(200);

        try (SseClient stream = SseClient.open(broker.port(), withToken("/v1/stream", reader1))) {
            assertThat(stream.status()).isEqualTo(200);
            keys.keepOnly("k2");
            broker.hup();
            broker.awaitOutput("auth.keys reloaded", 10_000);

            var revoked = get(broker.port(), withToken("/v1/poll", reader1), Map.of());
            assertThat(revoked.statusCode()).isEqualTo(401);
            assertThat(BrokerFixture.jsonObject(revoked.body())).containsEntry("error",
                    "token signed with an unknown key");
            assertThat(get(broker.port(), "/v1/poll", bearer(admin2)).statusCode()).isEqualTo(200);

            assertThat(post(broker.port(), "{\"msg\":\"after the reload\"}", bearer(admin2)).statusCode())
                    .isEqualTo(202);
            SseClient.Event e = stream.nextMessage(5_000);
            assertThat(e).as("the stream opened with the revoked kid is still open").isNotNull();
            assertThat(e.data()).contains("after the reload");
        }
        assertThat(broker.output()).contains("auth.keys reloaded from " + keys.file() + ": 1 key(s) (k2)");
    }

    @Test
    void aRestartWithoutAKidRevokesItsTokens() throws Exception {
        String reader1 = keys.token("k1", "read", null, null, null);
        String reader2 = keys.token("k2", "read", null, null, null);
        ChildBroker first = serve();
        assertThat(get(first.port(), "/v1/poll", bearer(reader1)).statusCode()).isEqualTo(200);
        assertThat(get(first.port(), "/v1/poll", bearer(reader2)).statusCode()).isEqualTo(200);
        int exit = first.terminate(15_000);
        first.awaitOutput("stopped", 5_000);
        assertThat(exit).isZero();

        keys.keepOnly("k2");
        ChildBroker second = serve();

        assertThat(get(second.port(), "/v1/poll", bearer(reader1)).statusCode()).isEqualTo(401);
        assertThat(get(second.port(), "/v1/poll", bearer(reader2)).statusCode()).isEqualTo(200);
    }

    @Test
    void theOutputAndTheDataDirHoldNoTokenAfterARunWithTokensInUrls() throws Exception {
        ChildBroker broker = serve();
        String reader = keys.token("k1", "read", null, null, null);
        String admin = keys.token("k2", "admin", null, null, null);
        String forged = reader.substring(0, reader.length() - 4) + "AAAA";
        List<String> secrets = new ArrayList<>(List.of(reader, admin, forged));
        for (String t : List.of(reader, admin, forged)) {
            secrets.add(t.substring(t.lastIndexOf('.') + 1)); // the signature alone
        }

        try (SseClient s = SseClient.open(broker.port(), withToken("/v1/stream?tail=5", reader))) {
            assertThat(s.status()).isEqualTo(200);
            assertThat(post(broker.port(), "{\"msg\":\"hello\"}", bearer(admin)).statusCode()).isEqualTo(202);
            assertThat(s.nextMessage(5_000)).isNotNull();
        }
        get(broker.port(), withToken("/v1/poll?after=0", reader), Map.of());
        get(broker.port(), withToken("/metrics", admin), Map.of());
        get(broker.port(), withToken("/v1/poll", forged), Map.of());
        get(broker.port(), withToken("/v1/poll?after=nonsense", reader), Map.of());
        get(broker.port(), withToken("/v1/nowhere", reader), Map.of());
        AuthHttp.send(broker.port(), "POST", withToken("/v1/logs", admin), Map.of(), "{\"msg\":\"x\"}");
        int exit = broker.terminate(15_000);
        broker.awaitOutput("stopped", 5_000);
        assertThat(exit).isZero();

        String output = broker.output();
        assertThat(output).contains("listening on").contains("stopped");
        for (String secret : secrets) {
            assertThat(output).doesNotContain(secret);
        }
        for (String line : Files.readAllLines(keys.file())) {
            if (!line.startsWith("#")) {
                assertThat(output).doesNotContain(line.split(" ")[1]);
            }
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secrets) {
                    assertThat(content).as(file.toString()).doesNotContain(secret);
                }
            }
        }
    }
}
