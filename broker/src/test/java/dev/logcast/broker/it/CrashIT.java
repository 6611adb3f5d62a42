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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability under SIGKILL: a broker in a child process takes concurrent POSTs and is killed mid-stream, at
 * several points, and restarted on the same data dir each time. Every event that got a 202 must be there exactly
 * once, in order, with its id; a batch that got no answer is all there or not at all; new ids are larger.
 */
class CrashIT {
    private static final int PUBLISHERS = 4;
    private static final int EVENTS_PER_POST = 10;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** msg -> id, for every event whose POST got a 202. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    /** Every batch sent (its first msg), answered or not. */
    private final Map<String, Boolean> sent = new ConcurrentHashMap<>();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyAcknowledgedEventSurvivesSigkillAtSeveralPointsAndIdsKeepIncreasing(@TempDir Path dir)
            throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        long[] killAfterMs = {250, 900, 1_600};
        String[] fsync = {"interval", "always", "never"};
        long maxIdSoFar = 0;
        for (int round = 0; round < killAfterMs.length; round++) {
            ChildBroker broker = ChildBroker.start(data, Map.of("storage", "disk", "journal.fsync", fsync[round]));
            try {
                List<Map<String, Object>> before = readAll(broker.port());
                assertAllAcknowledgedPresent(before, "after restart " + round);
                if (!before.isEmpty()) {
                    maxIdSoFar = Math.max(maxIdSoFar, idOf(before.get(before.size() - 1)));
                }
                int acknowledgedBefore = acknowledged.size();
                long firstNew = loadThenKill(broker, round, killAfterMs[round]);
                assertThat(acknowledged.size()).as("events acknowledged in round %d", round)
                        .isGreaterThan(acknowledgedBefore);
                if (firstNew > 0) {
                    assertThat(firstNew).as("first id after restart %d", round).isGreaterThan(maxIdSoFar);
                }
            } finally {
                broker.close();
            }
        }
        ChildBroker last = ChildBroker.start(data, Map.of("storage", "disk"));
        try {
            List<Map<String, Object>> all = readAll(last.port());
            assertAllAcknowledgedPresent(all, "final");
            assertBatchesAreAllOrNothing(all);
            assertThat(last.output()).contains("recovered");
        } finally {
            last.close();
        }
    }

    /** Posts from several threads, SIGKILLs the child after {@code killAfterMs}; returns the first new id. */
    private long loadThenKill(ChildBroker broker, int round, long killAfterMs) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch firstAck = new CountDownLatch(1);
        long[] firstId = {0};
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < PUBLISHERS; t++) {
            int publisher = t;
            Thread thread = new Thread(() -> {
                int batch = 0;
                while (!stop.get()) {
                    String prefix = "r" + round + "-p" + publisher + "-b" + batch++;
                    StringBuilder body = new StringBuilder();
                    for (int e = 0; e < EVENTS_PER_POST; e++) {
                        body.append("{\"branch\":\"crash\",\"msg\":\"").append(prefix).append("-e").append(e)
                                .append("\"}\n");
                    }
                    sent.put(prefix, Boolean.TRUE);
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + broker.port() + "/v1/logs"))
                                .header("Content-Type", "application/x-ndjson")
                                .timeout(Duration.ofSeconds(5))
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 202) {
                            Map<String, Object> answer = BrokerFixture.jsonObject(r.body());
                            long first = Long.parseLong((String) answer.get("first"));
                            synchronized (firstId) {
                                if (firstId[0] == 0 || first < firstId[0]) {
                                    firstId[0] = first;
                                }
                            }
                            for (int e = 0; e < EVENTS_PER_POST; e++) {
                                acknowledged.put(prefix + "-e" + e, first + e);
                            }
                            firstAck.countDown();
                        }
                    } catch (Exception e) {
                        return; // the broker is gone
                    }
                }
            }, "publisher-" + t);
            threads.add(thread);
            thread.start();
        }
        // the kill comes that long after the first acknowledgement (a child JVM on a busy machine may take a while
        // to answer its first POST), so that every round kills a broker under load
        firstAck.await(30, TimeUnit.SECONDS);
        Thread.sleep(killAfterMs);
        broker.kill();
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        return firstId[0];
    }

    private List<Map<String, Object>> readAll(int port) throws Exception {
        List<Map<String, Object>> all = new ArrayList<>();
        long after = 0;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/v1/poll?branch=crash&limit=10000&after=" + after)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, Object> answer = BrokerFixture.jsonObject(r.body());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> events = (List<Map<String, Object>>) answer.get("events");
            if (events.isEmpty()) {
                return all;
            }
            all.addAll(events);
            after = Long.parseLong((String) answer.get("last"));
        }
    }

    private void assertAllAcknowledgedPresent(List<Map<String, Object>> events, String when) {
        Map<String, Long> seen = new LinkedHashMap<>();
        long previous = 0;
        for (Map<String, Object> e : events) {
            long id = idOf(e);
            assertThat(id).as("ids strictly increase (%s)", when).isGreaterThan(previous);
            previous = id;
            Long again = seen.put((String) e.get("msg"), id);
            assertThat(again).as("%s stored once (%s)", e.get("msg"), when).isNull();
        }
        Map<String, Long> missing = new HashMap<>();
        acknowledged.forEach((msg, id) -> {
            if (!id.equals(seen.get(msg))) {
                missing.put(msg, id);
            }
        });
        assertThat(missing).as("acknowledged events missing or with another id (%s)", when).isEmpty();
    }

    private void assertBatchesAreAllOrNothing(List<Map<String, Object>> events) {
        Map<String, Integer> perBatch = new HashMap<>();
        for (Map<String, Object> e : events) {
            String msg = (String) e.get("msg");
            perBatch.merge(msg.substring(0, msg.lastIndexOf("-e")), 1, Integer::sum);
        }
        perBatch.forEach((batch, n) -> assertThat(n).as("events of batch %s", batch).isEqualTo(EVENTS_PER_POST));
        assertThat(sent.keySet()).containsAll(perBatch.keySet());
    }

    private static long idOf(Map<String, Object> event) {
        return Long.parseLong((String) event.get("id"));
    }
}
