package dev.logcast.broker.it;

import static dev.logcast.broker.it.AuthHttp.bearer;
import static dev.logcast.broker.it.AuthHttp.get;
import static dev.logcast.broker.it.AuthHttp.post;
import static dev.logcast.broker.it.AuthHttp.withToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.HmacKeys;
import dev.logcast.broker.testing.SseClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private final List<Serve> started = new ArrayList<>();

    @BeforeEach
    void keys() throws IOException {
        keys = HmacKeys.create("k1", "k2");
        dataDir = keys.file().getParent(); // auth.keys at its default: <data.dir>/keys
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Serve s : started) {
            s.kill();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Serve serve() throws Exception {
        Serve s = new Serve(dataDir);
        started.add(s);
        return s;
    }

    @Test
    void sighupRevokesARemovedKidAndKeepsOpenStreams() throws Exception {
        Serve broker = serve();
        String reader1 = keys.token("k1", "read", null, null, null);
        String admin2 = keys.token("k2", "admin", null, null, null);
        assertThat(get(broker.port, "/v1/poll", bearer(reader1)).statusCode()).isEqualTo(200);
        assertThat(get(broker.port, "/v1/poll", bearer(admin2)).statusCode()).isEqualTo(200);

        try (SseClient stream = SseClient.open(broker.port, withToken("/v1/stream", reader1))) {
            assertThat(stream.status()).isEqualTo(200);
            keys.keepOnly("k2");
            broker.hup();
            broker.awaitOutput("auth.keys reloaded", 10_000);

            var revoked = get(broker.port, withToken("/v1/poll", reader1), Map.of());
            assertThat(revoked.statusCode()).isEqualTo(401);
            assertThat(BrokerFixture.jsonObject(revoked.body())).containsEntry("error",
                    "token signed with an unknown key");
            assertThat(get(broker.port, "/v1/poll", bearer(admin2)).statusCode()).isEqualTo(200);

            assertThat(post(broker.port, "{\"msg\":\"after the reload\"}", bearer(admin2)).statusCode())
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
        Serve first = serve();
        assertThat(get(first.port, "/v1/poll", bearer(reader1)).statusCode()).isEqualTo(200);
        assertThat(get(first.port, "/v1/poll", bearer(reader2)).statusCode()).isEqualTo(200);
        assertThat(first.terminate()).isZero();

        keys.keepOnly("k2");
        Serve second = serve();

        assertThat(get(second.port, "/v1/poll", bearer(reader1)).statusCode()).isEqualTo(401);
        assertThat(get(second.port, "/v1/poll", bearer(reader2)).statusCode()).isEqualTo(200);
    }

    @Test
    void theOutputAndTheDataDirHoldNoTokenAfterARunWithTokensInUrls() throws Exception {
        Serve broker = serve();
        String reader = keys.token("k1", "read", null, null, null);
        String admin = keys.token("k2", "admin", null, null, null);
        String forged = reader.substring(0, reader.length() - 4) + "AAAA";
        List<String> secrets = new ArrayList<>(List.of(reader, admin, forged));
        for (String t : List.of(reader, admin, forged)) {
            secrets.add(t.substring(t.lastIndexOf('.') + 1)); // the signature alone
        }

        try (SseClient s = SseClient.open(broker.port, withToken("/v1/stream?tail=5", reader))) {
            assertThat(s.status()).isEqualTo(200);
            assertThat(post(broker.port, "{\"msg\":\"hello\"}", bearer(admin)).statusCode()).isEqualTo(202);
            assertThat(s.nextMessage(5_000)).isNotNull();
        }
        get(broker.port, withToken("/v1/poll?after=0", reader), Map.of());
        get(broker.port, withToken("/metrics", admin), Map.of());
        get(broker.port, withToken("/v1/poll", forged), Map.of());
        get(broker.port, withToken("/v1/poll?after=nonsense", reader), Map.of());
        get(broker.port, withToken("/v1/nowhere", reader), Map.of());
        AuthHttp.send(broker.port, "POST", withToken("/v1/logs", admin), Map.of(), "{\"msg\":\"x\"}");
        assertThat(broker.terminate()).isZero();

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

    /** {@code logcast serve} in a child JVM from the test class path, with its whole output kept. */
    private static final class Serve {
        private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");
        private final Process process;
        private final List<String> output = new CopyOnWriteArrayList<>();
        final int port;

        Serve(Path dataDir) throws Exception {
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    "dev.logcast.broker.cli.LogcastCommand", "serve", "--port", "0", "--data.dir", dataDir.toString(),
                    "--auth.failures.per.minute", "0", "--shutdown.grace", "1s", "--io.threads", "1")
                    .redirectErrorStream(true).start();
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            int found = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line;
            while (found < 0 && System.nanoTime() < deadline && (line = reader.readLine()) != null) {
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    found = Integer.parseInt(m.group(1));
                }
            }
            if (found < 0) {
                process.destroyForcibly();
                throw new IOException("logcast serve did not start:\n" + String.join("\n", output));
            }
            port = found;
            Thread drain = new Thread(() -> {
                try {
                    String l;
                    while ((l = reader.readLine()) != null) {
                        output.add(l);
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "serve-output");
            drain.setDaemon(true);
            drain.start();
        }

        String output() {
            return String.join("\n", output);
        }

        void hup() throws Exception {
            new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        }

        void awaitOutput(String text, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!output().contains(text)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no \"" + text + "\" in:\n" + output());
                }
                Thread.sleep(20);
            }
        }

        /** SIGTERM; the exit code once it has exited and its output is read to the end. */
        int terminate() throws Exception {
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            awaitOutput("stopped", 5_000);
            return process.exitValue();
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
