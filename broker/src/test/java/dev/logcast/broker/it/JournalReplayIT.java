package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With {@code storage=disk}, a resume older than the memory ring is replayed from the journal with no gap and no
 * duplicate, then goes live; the same ranges over poll.
 */
class JournalReplayIT {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void resumeOlderThanTheRingIsReplayedFromDiskThenGoesLive() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("storage", "disk", "ring.events", "100"))) {
            List<String> ids = post(broker, 2_000, "old");
            long resumeAfter = Long.parseLong(ids.get(9));
            try (SseClient stream = SseClient.open(broker.port(), "/v1/stream?branch=replay",
                    Map.of("Last-Event-ID", Long.toString(resumeAfter)))) {
                List<SseClient.Event> replayed = stream.messages(ids.size() - 10, 20_000);
                assertThat(replayed).extracting(SseClient.Event::event).containsOnly("message");
                assertThat(replayed).extracting(SseClient.Event::id).containsExactlyElementsOf(ids.subList(10,
                        ids.size()));
                List<String> live = post(broker, 5, "new");
                assertThat(stream.messages(5, 10_000)).extracting(SseClient.Event::id).containsExactlyElementsOf(live);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pollChainsAcrossDiskAndRingWithoutLoss() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("storage", "disk", "ring.events", "50"))) {
            List<String> ids = post(broker, 700, "poll");
            List<String> got = new ArrayList<>();
            long after = 0;
            while (true) {
                Map<String, Object> answer = broker.pollAfter(after);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> events = (List<Map<String, Object>>) answer.get("events");
                if (events.isEmpty()) {
                    break;
                }
                for (Map<String, Object> e : events) {
                    if ("replay".equals(e.get("branch"))) {
                        got.add((String) e.get("id"));
                    }
                }
                after = Long.parseLong((String) answer.get("last"));
            }
            assertThat(got).containsExactlyElementsOf(ids);
        }
    }

    /**
     * {@code tail=N} is the last N matching retained events, also where they are older than the memory ring: the
     * journal (here several segments) is searched newest first for where the tail starts, then the events go out as
     * a resume from there (disk, ring, live). Filters with few and with many matches, on stream and on poll.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tailOlderThanTheRingIsFoundInTheJournal() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("storage", "disk", "ring.events", "20",
                "journal.segment.bytes", "64KiB"))) {
            List<String> ids = post(broker, 5_000, "tail");
            List<String> sparse = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (Integer.toString(i).contains("77")) {
                    sparse.add(ids.get(i));
                }
            }
            assertThat(sparse).hasSize(95);

            assertTail(broker, "q=77&tail=3", sparse);
            assertTail(broker, "q=77&tail=40", sparse);
            assertTail(broker, "q=77&tail=100000", sparse);
            assertTail(broker, "tail=15", ids);
            assertTail(broker, "tail=1500", ids);
            assertTail(broker, "q=nothing-matches&tail=10", List.of());

            HttpResponse<String> poll = broker.get("/v1/poll?branch=replay&q=77&wait=0&tail=40");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> events =
                    (List<Map<String, Object>>) BrokerFixture.jsonObject(poll.body()).get("events");
            assertThat(events).extracting(e -> (String) e.get("id"))
                    .containsExactlyElementsOf(sparse.subList(sparse.size() - 40, sparse.size()));
        }
    }

    /** A stream with {@code query} starts with the last N of {@code matching} (N from its tail), then goes live. */
    private static void assertTail(BrokerFixture broker, String query, List<String> matching) throws Exception {
        int n = Integer.parseInt(query.substring(query.indexOf("tail=") + 5));
        List<String> expected = matching.subList(Math.max(0, matching.size() - n), matching.size());
        try (SseClient stream = SseClient.open(broker.port(), "/v1/stream?branch=replay&" + query)) {
            assertThat(stream.messages(expected.size(), 20_000)).as(query).extracting(SseClient.Event::id)
                    .containsExactlyElementsOf(expected);
            SseClient.Event more = stream.next(300, TimeUnit.MILLISECONDS);
            assertThat(more == null || more.isComment()).as("%s: nothing after the tail: %s", query, more).isTrue();
        }
    }

    /** Posts {@code n} events in batches of 50; returns their ids in order. */
    private static List<String> post(BrokerFixture broker, int n, String tag) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i += 50) {
            StringBuilder body = new StringBuilder();
            int batch = Math.min(50, n - i);
            for (int j = 0; j < batch; j++) {
                body.append("{\"branch\":\"replay\",\"msg\":\"").append(tag).append(' ').append(i + j)
                        .append("\"}\n");
            }
            var r = broker.post("application/x-ndjson", body.toString());
            assertThat(r.statusCode()).isEqualTo(202);
            Map<String, Object> answer = BrokerFixture.jsonObject(r.body());
            long first = Long.parseLong((String) answer.get("first"));
            for (int j = 0; j < batch; j++) {
                ids.add(Long.toString(first + j));
            }
        }
        return ids;
    }
}
