package dev.logcast.broker.it;

import static dev.logcast.broker.it.AuthHttp.bearer;
import static dev.logcast.broker.it.AuthHttp.events;
import static dev.logcast.broker.it.AuthHttp.get;
import static dev.logcast.broker.it.AuthHttp.lastId;
import static dev.logcast.broker.it.AuthHttp.post;
import static dev.logcast.broker.it.AuthHttp.withToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.HmacKeys;
import dev.logcast.broker.testing.SseClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A token limited to some branches and types sees and writes only those, on every path: live stream, replay by
 * Last-Event-ID and {@code tail}, poll; a request that can only see forbidden branches is 403; a write with one
 * event outside the limits is 403 and stores nothing; {@code src} pins the source.
 */
@Timeout(30)
class AuthBranchLimitsIT {
    private HmacKeys keys;
    private BrokerFixture broker;
    private String admin;
    private String teamAReader;

    @BeforeEach
    void start() throws Exception {
        keys = HmacKeys.create("k1");
        broker = BrokerFixture.start(keys.settings());
        admin = keys.token("admin", null, null, null);
        teamAReader = keys.token("read", "team-a/*", null, null);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
        keys.delete();
    }

    /** Posts one event on each branch, in this order, and returns the last id. */
    private long publish(String... branches) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < branches.length; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"branch\":\"").append(branches[i]).append("\",\"msg\":\"m")
                    .append(i).append("\"}");
        }
        HttpResponse<String> r = post(broker.port(), batch.append("]").toString(), bearer(admin));
        assertThat(r.statusCode()).isEqualTo(202);
        return lastId(r);
    }

    private static List<String> branches(List<SseClient.Event> messages) {
        List<String> out = new ArrayList<>();
        for (SseClient.Event e : messages) {
            out.add((String) BrokerFixture.jsonObject(e.data()).get("branch"));
        }
        return out;
    }

    private static List<String> pollBranches(HttpResponse<String> poll) {
        assertThat(poll.statusCode()).isEqualTo(200);
        return events(poll).stream().map(e -> (String) e.get("branch")).toList();
    }

    @Test
    void aTeamAReaderAskingForEverythingSeesOnlyTeamALive() throws Exception {
        try (SseClient s = SseClient.open(broker.port(), withToken("/v1/stream?branch=*", teamAReader))) {
            assertThat(s.status()).isEqualTo(200);
            Thread.sleep(100);
            publish("team-b", "team-a/1", "main", "team-a/2", "team-b/x", "team-a/3");

            assertThat(branches(s.messages(3, 5_000))).containsExactly("team-a/1", "team-a/2", "team-a/3");
            publish("team-b", "main");
            assertThat(s.nextMessage(300)).isNull();
        }
    }

    @Test
    void replayByLastEventIdAndTailShowOnlyTeamA() throws Exception {
        long start = publish("main");
        publish("team-a/1", "team-b", "team-a/2", "other", "team-a/3", "team-b");

        try (SseClient resumed = SseClient.open(broker.port(), withToken("/v1/stream", teamAReader),
                Map.of("Last-Event-ID", Long.toString(start)));
             SseClient tail = SseClient.open(broker.port(), withToken("/v1/stream?tail=2&branch=*", teamAReader))) {
            assertThat(branches(resumed.messages(3, 5_000))).containsExactly("team-a/1", "team-a/2", "team-a/3");
            assertThat(branches(tail.messages(2, 5_000))).containsExactly("team-a/2", "team-a/3");
            assertThat(resumed.nextMessage(300)).isNull();
            assertThat(tail.nextMessage(100)).isNull();
        }
    }

    @Test
    void pollShowsOnlyTeamA() throws Exception {
        long start = publish("main");
        publish("team-a/1", "team-b", "team-a/2");

        assertThat(pollBranches(get(broker.port(), withToken("/v1/poll?after=" + start, teamAReader), Map.of())))
                .containsExactly("team-a/1", "team-a/2");
        assertThat(pollBranches(get(broker.port(), "/v1/poll?branch=*&after=" + start, bearer(teamAReader))))
                .containsExactly("team-a/1", "team-a/2");
        assertThat(pollBranches(get(broker.port(), "/v1/poll?after=" + start, bearer(admin))))
                .containsExactly("team-a/1", "team-b", "team-a/2");
    }

    @Test
    void askingOnlyForForbiddenBranchesIs403OnStreamAndPoll() throws Exception {
        try (SseClient s = SseClient.open(broker.port(), withToken("/v1/stream?branch=team-b", teamAReader))) {
            assertThat(s.status()).isEqualTo(403);
            assertThat(s.header("www-authenticate")).isEqualTo("Bearer error=\"insufficient_scope\"");
        }
        HttpResponse<String> poll = get(broker.port(), "/v1/poll?branch=team-b,main", bearer(teamAReader));
        assertThat(poll.statusCode()).isEqualTo(403);
        assertThat(BrokerFixture.jsonObject(poll.body())).containsEntry("index", null);
        assertThat(get(broker.port(), "/v1/poll?branch=team-*", bearer(teamAReader)).statusCode()).isEqualTo(200);
    }

    @Test
    void aTeamAWriterPostingOneTeamBEventGets403AndNothingOfTheBatchIsStored() throws Exception {
        long before = publish("main");
        String writer = keys.token("write", "team-a/*", null, null);

        HttpResponse<String> r = post(broker.port(), "[{\"branch\":\"team-a/1\",\"msg\":\"a\"},"
                + "{\"branch\":\"team-b\",\"msg\":\"b\"},{\"branch\":\"team-a/2\",\"msg\":\"c\"}]", bearer(writer));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("www-authenticate")).as("RFC 6750 §3.1")
                .hasValue("Bearer error=\"insufficient_scope\"");
        assertThat(BrokerFixture.jsonObject(r.body()))
                .containsEntry("error", "event 1: the token may not write branch \"team-b\"")
                .containsEntry("index", 1L);
        assertThat(events(get(broker.port(), "/v1/poll?after=" + before, bearer(admin)))).isEmpty();
        assertThat(post(broker.port(), "{\"branch\":\"team-a/1\",\"msg\":\"ok\"}", bearer(writer)).statusCode())
                .isEqualTo(202);
        assertThat(post(broker.port(), "{\"msg\":\"no branch is main\"}", bearer(writer)).statusCode())
                .isEqualTo(403);
    }

    @Test
    void anOtlpRequestWithOneForbiddenRecordIs403AndStoresNothing() throws Exception {
        long before = publish("main");
        String writer = keys.token("write", "team-a/*", null, null);
        String otlp = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":["
                + "{\"body\":{\"stringValue\":\"a\"},\"attributes\":[{\"key\":\"logcast.branch\",\"value\":"
                + "{\"stringValue\":\"team-a/1\"}}]},"
                + "{\"body\":{\"stringValue\":\"b\"},\"attributes\":[{\"key\":\"logcast.branch\",\"value\":"
                + "{\"stringValue\":\"team-b\"}}]}]}]}]}";

        HttpResponse<String> r = post(broker.port(), otlp, bearer(writer));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(BrokerFixture.jsonObject(r.body()).get("error").toString()).contains("team-b");
        assertThat(events(get(broker.port(), "/v1/poll?after=" + before, bearer(admin)))).isEmpty();
    }

    @Test
    void srcPinsEverySourceAndTypesLimitWritesAndReads() throws Exception {
        long before = publish("main");
        String pinned = keys.token("write", null, "log,api", "checkout-svc");

        assertThat(post(broker.port(), "[{\"source\":\"liar\",\"msg\":\"a\"},{\"type\":\"api\",\"msg\":\"b\"}]",
                bearer(pinned)).statusCode()).isEqualTo(202);
        HttpResponse<String> wrongType = post(broker.port(), "[{\"msg\":\"a\"},{\"type\":\"metric\",\"msg\":\"b\"}]",
                bearer(pinned));
        assertThat(wrongType.statusCode()).isEqualTo(403);
        assertThat(BrokerFixture.jsonObject(wrongType.body()))
                .containsEntry("error", "event 1: the token may not write type \"metric\"");

        List<Map<String, Object>> stored = events(get(broker.port(), "/v1/poll?after=" + before, bearer(admin)));
        assertThat(stored).extracting(e -> e.get("source")).containsExactly("checkout-svc", "checkout-svc");
        assertThat(stored).extracting(e -> e.get("type")).containsExactly("log", "api");

        publish("metrics-branch");
        String logReader = keys.token("read", null, "log", null);
        assertThat(get(broker.port(), "/v1/poll?type=api", bearer(logReader)).statusCode()).isEqualTo(403);
        assertThat(events(get(broker.port(), "/v1/poll?after=" + before, bearer(logReader))))
                .extracting(e -> e.get("type")).containsOnly("log");
    }
}
