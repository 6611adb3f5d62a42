package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.ChildBroker;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A damaged journal tail is cut at recovery, with a log line; everything before it stays. */
class JournalRecoveryIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void truncatedLastRecordIsDroppedAtRecoveryAndEverythingBeforeStays(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        List<String> ids = postThenStop(data, 50);
        truncateNewestSegment(data, 5);
        try (ChildBroker broker = ChildBroker.start(data, Map.of("storage", "disk"))) {
            List<String> stored = storedIds(broker.port());
            assertThat(stored).containsExactlyElementsOf(ids.subList(0, ids.size() - 1));
            assertThat(broker.output()).containsPattern("(?i)truncat");
            long next = firstIdOfNewPost(broker.port());
            assertThat(next).isGreaterThan(Long.parseLong(stored.get(stored.size() - 1)));
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void flippedByteInTheLastRecordDropsOnlyThatRecord(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        List<String> ids = postThenStop(data, 50);
        Path segment = newestSegment(data);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            long at = file.length() - 3;
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ 0x5a);
        }
        try (ChildBroker broker = ChildBroker.start(data, Map.of("storage", "disk"))) {
            assertThat(storedIds(broker.port())).containsExactlyElementsOf(ids.subList(0, ids.size() - 1));
        }
    }

    /** Posts {@code n} events one per request, stops the broker with SIGKILL; returns their ids in order. */
    private List<String> postThenStop(Path data, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        try (ChildBroker broker = ChildBroker.start(data, Map.of("storage", "disk", "journal.fsync", "always"))) {
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = post(broker.port(), "{\"branch\":\"torn\",\"msg\":\"event " + i + "\"}");
                assertThat(r.statusCode()).isEqualTo(202);
                ids.add((String) BrokerFixture.jsonObject(r.body()).get("first"));
            }
            broker.kill();
        }
        return ids;
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/logs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long firstIdOfNewPost(int port) throws Exception {
        HttpResponse<String> r = post(port, "{\"branch\":\"after\",\"msg\":\"new\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        return Long.parseLong((String) BrokerFixture.jsonObject(r.body()).get("first"));
    }

    @SuppressWarnings("unchecked")
    private List<String> storedIds(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/v1/poll?branch=torn&after=0&limit=10000")).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) BrokerFixture.jsonObject(r.body()).get("events")) {
            ids.add((String) e.get("id"));
        }
        return ids;
    }

    private static void truncateNewestSegment(Path data, int bytes) throws Exception {
        Path segment = newestSegment(data);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(file.length() - bytes);
        }
    }

    private static Path newestSegment(Path data) throws Exception {
        try (Stream<Path> files = Files.walk(data)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("no journal segment under " + data));
        }
    }
}
