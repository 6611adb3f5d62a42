package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.ChildBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk: the journal lives on a 2 MiB tmpfs. Once it is full POSTs get 503 with Retry-After and nothing
 * is acknowledged that is not stored; when the file system grows again, POSTs are accepted again. Needs the right
 * to mount (root, as on the project's machines and CI).
 */
class JournalDiskFullIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fullDiskAnswers503WithRetryAfterAndRecoversWhenSpaceReturns(@TempDir Path dir) throws Exception {
        Path mount = Files.createDirectories(dir.resolve("small"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()) == 0,
                "this machine does not let the test mount a tmpfs");
        try {
            Path data = mount.resolve("data");
            try (ChildBroker broker = ChildBroker.start(data, Map.of("storage", "disk",
                    "journal.segment.bytes", "256KiB", "journal.fsync", "always"))) {
                String padding = "x".repeat(3_000);
                List<String> acknowledged = new ArrayList<>();
                HttpResponse<String> refused = null;
                for (int i = 0; i < 2_000 && refused == null; i++) {
                    HttpResponse<String> r = post(broker.port(),
                            "{\"branch\":\"full\",\"msg\":\"" + i + " " + padding + "\"}");
                    if (r.statusCode() == 202) {
                        acknowledged.add((String) BrokerFixture.jsonObject(r.body()).get("first"));
                    } else {
                        refused = r;
                    }
                }
                assertThat(refused).as("a POST refused once the disk is full").isNotNull();
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                assertThat((String) BrokerFixture.jsonObject(refused.body()).get("error"))
                        .as("says what failed").startsWith("the journal could not store the events (")
                        .endsWith("; retry later");

                assertThat(storedIds(broker.port())).containsExactlyElementsOf(acknowledged);
                HttpResponse<String> ready = readyz(broker.port());
                assertThat(ready.statusCode()).as("not ready while the disk is full").isEqualTo(503);
                assertThat(ready.body()).startsWith("not ready: the journal cannot store events: ");

                assertThat(run("mount", "-o", "remount,size=64m", mount.toString())).isZero();
                HttpResponse<String> again = null;
                for (int i = 0; i < 50; i++) {
                    again = post(broker.port(), "{\"branch\":\"full\",\"msg\":\"after\"}");
                    if (again.statusCode() == 202) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(again.statusCode()).as("accepted again once space returned").isEqualTo(202);
                assertThat(readyz(broker.port()).statusCode()).as("ready again").isEqualTo(200);
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/logs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> readyz(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private List<String> storedIds(int port) throws Exception {
        List<String> ids = new ArrayList<>();
        long after = 0;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/v1/poll?branch=full&limit=1000&after=" + after)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Object> answer = BrokerFixture.jsonObject(r.body());
            List<Map<String, Object>> events = (List<Map<String, Object>>) answer.get("events");
            if (events.isEmpty()) {
                return ids;
            }
            for (Map<String, Object> e : events) {
                ids.add((String) e.get("id"));
            }
            after = Long.parseLong((String) answer.get("last"));
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
