package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.Accepted;
import dev.logcast.broker.it.streamsupport.EventMix;
import dev.logcast.broker.it.streamsupport.FilterModel;
import dev.logcast.broker.it.streamsupport.Json;
import dev.logcast.broker.it.streamsupport.LogSpec;
import dev.logcast.broker.it.streamsupport.Publisher;
import dev.logcast.broker.it.streamsupport.Publisher.Format;
import dev.logcast.broker.it.streamsupport.Received;
import dev.logcast.broker.it.streamsupport.Subscriber;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resume and tail: a client that reconnects with {@code Last-Event-ID} (or {@code lastEventId}) gets every retained
 * matching event after it, then the live ones, with no gap and no duplicate; one that resumes from before
 * retention is told what it lost with {@code event: gap}; {@code tail=N} starts a fresh connection with the last N
 * matching events.
 */
class ResumeIT {

    @Test
    @Timeout(20)
    void lastEventIdHeaderReplaysEverythingAfterItThenGoesLive() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            List<Long> ids = postNumbered(publisher, 50, 10);

            try (Subscriber s = Subscriber.open(broker.port(), "",
                    Map.of("Last-Event-ID", Long.toString(ids.get(19))))) {
                assertThat(Subscriber.ids(s.eventsThrough(ids.get(49), 10_000))).isEqualTo(ids.subList(20, 50));
                List<Long> live = postNumbered(publisher, 10, 5);
                assertThat(Subscriber.ids(s.eventsThrough(live.get(9), 10_000))).isEqualTo(live);
                assertThat(s.messagesWithin(200)).isEmpty();
            }
        }
    }

    @Test
    @Timeout(20)
    void lastEventIdParameterResumesLikeTheHeader() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            List<Long> ids = postNumbered(publisher, 50, 10);

            try (Subscriber s = Subscriber.open(broker.port(), "lastEventId=" + ids.get(19))) {
                assertThat(Subscriber.ids(s.eventsThrough(ids.get(49), 10_000))).isEqualTo(ids.subList(20, 50));
                List<Long> live = postNumbered(publisher, 10, 5);
                assertThat(Subscriber.ids(s.eventsThrough(live.get(9), 10_000))).isEqualTo(live);
                assertThat(s.messagesWithin(200)).isEmpty();
            }
        }
    }

    @Test
    @Timeout(20)
    void lastEventIdHeaderWinsOverTheParameter() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            List<Long> ids = postNumbered(new Publisher(broker.port()), 50, 10);

            try (Subscriber s = Subscriber.open(broker.port(), "lastEventId=" + ids.get(9),
                    Map.of("Last-Event-ID", Long.toString(ids.get(29))))) {
                assertThat(Subscriber.ids(s.eventsThrough(ids.get(49), 10_000))).isEqualTo(ids.subList(30, 50));
            }
        }
    }

    @Test
    @Timeout(20)
    void resumeReplaysOnlyTheMatchingEventsAfterTheResumePoint() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            EventMix mix = new EventMix("filtered", 11);
            List<LogSpec> events = mix.next(200);
            Accepted accepted = publisher.post(events);
            String query = "branch=team-a/*&level=warn";
            FilterModel model = FilterModel.ofQuery(query);
            long resumeAfter = accepted.id(59);
            List<Long> expected = new ArrayList<>();
            for (int i = 60; i < 200; i++) {
                if (model.matches(events.get(i))) {
                    expected.add(accepted.id(i));
                }
            }
            assertThat(expected).isNotEmpty();

            try (Subscriber s = Subscriber.open(broker.port(), query,
                    Map.of("Last-Event-ID", Long.toString(resumeAfter)))) {
                assertThat(Subscriber.ids(s.eventsThrough(expected.get(expected.size() - 1), 10_000)))
                        .isEqualTo(expected);
                assertThat(s.messagesWithin(200)).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(30)
    void resumeAcrossManyReplayChunksWhilePublishersKeepPostingHasNoGapAndNoDuplicate(boolean gzip)
            throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "256KiB"))) {
            Publisher publisher = new Publisher(broker.port());
            List<Long> before = postNumbered(publisher, 5_000, 500);
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Map<String, String> headers = new java.util.HashMap<>();
            headers.put("Last-Event-ID", Long.toString(before.get(0)));
            if (gzip) {
                headers.put("Accept-Encoding", "gzip");
            }
            try (Subscriber s = Subscriber.open(broker.port(), "", headers)) {
                Future<?> posting = pool.submit(() -> {
                    for (int b = 0; b < 60 && !stop.get(); b++) {
                        postNumbered(publisher, 25, 25);
                    }
                });
                posting.get(20, TimeUnit.SECONDS);
                long last = publisher.byId().lastKey();
                List<Long> got = Subscriber.ids(s.eventsThrough(last, 20_000));
                assertThat(got).isEqualTo(new ArrayList<>(publisher.byId().tailMap(before.get(0), false).keySet()));
                assertThat(s.messagesWithin(200)).isEmpty();
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Timeout(60)
    void reconnectingWithLastEventIdWhilePublishersKeepPostingLosesNothingAndRepeatsNothing() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            String query = "branch=team-a/*,main";
            FilterModel model = FilterModel.ofQuery(query);
            Random random = new Random(7);
            List<Long> received = new ArrayList<>();
            Subscriber s = Subscriber.open(broker.port(), query);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> posting = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    EventMix mix = new EventMix("pub" + p, 100 + p);
                    Format format = p == 0 ? Format.JSON : Format.GZIP_NDJSON;
                    posting.add(pool.submit(() -> {
                        for (int b = 0; b < 150; b++) {
                            publisher.post(format, mix.next(20));
                        }
                    }));
                }
                int reconnects = 0;
                while (!allDone(posting) || reconnects < 3) {
                    int take = 20 + random.nextInt(200);
                    for (int i = 0; i < take; i++) {
                        SseClient.Event e = s.client().nextMessage(300);
                        if (e == null) {
                            break;
                        }
                        received.add(Received.of(e).id());
                    }
                    if (received.isEmpty()) {
                        continue;
                    }
                    // whatever was already on the wire after the last handled event is dropped, as a browser would
                    s.close();
                    String lastId = Long.toString(received.get(received.size() - 1));
                    s = reconnects % 2 == 0
                            ? Subscriber.open(broker.port(), query, Map.of("Last-Event-ID", lastId))
                            : Subscriber.open(broker.port(), query + "&lastEventId=" + lastId);
                    reconnects++;
                }
                for (Future<?> f : posting) {
                    f.get();
                }
                List<Long> expected = new ArrayList<>();
                publisher.byId().forEach((id, e) -> {
                    if (model.matches(e)) {
                        expected.add(id);
                    }
                });
                long last = expected.get(expected.size() - 1);
                if (received.get(received.size() - 1) < last) {
                    received.addAll(Subscriber.ids(s.eventsThrough(last, 20_000)));
                }
                assertThat(reconnects).isGreaterThanOrEqualTo(3);
                assertThat(received).isEqualTo(expected);
                assertThat(s.messagesWithin(200)).isEmpty();
            } finally {
                s.close();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Timeout(20)
    void resumePointOlderThanRetentionGetsAGapEventThenTheRetainedEvents() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("ring.events", "100"))) {
            Publisher publisher = new Publisher(broker.port());
            List<Long> ids = postNumbered(publisher, 300, 30);

            try (Subscriber s = Subscriber.open(broker.port(), "",
                    Map.of("Last-Event-ID", Long.toString(ids.get(49))))) {
                List<SseClient.Event> got = s.messagesThrough(ids.get(299), 10_000);
                assertThat(got.get(0).event()).isEqualTo("gap");
                assertThat(Json.object(got.get(0).data()))
                        .isEqualTo(Map.of("from", Long.toString(ids.get(50)), "to", Long.toString(ids.get(199))));
                List<Long> events = new ArrayList<>();
                for (SseClient.Event e : got.subList(1, got.size())) {
                    events.add(Received.of(e).id());
                }
                assertThat(events).isEqualTo(ids.subList(200, 300));

                List<Long> live = postNumbered(publisher, 5, 5);
                assertThat(Subscriber.ids(s.eventsThrough(live.get(4), 10_000))).isEqualTo(live);
            }
        }
    }

    @Test
    @Timeout(20)
    void resumeFromZeroGapsOnlyIdsThisBrokerIssued() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("ring.events", "100"))) {
            List<Long> ids = postNumbered(new Publisher(broker.port()), 150, 50);

            try (Subscriber s = Subscriber.open(broker.port(), "", Map.of("Last-Event-ID", "0"))) {
                List<SseClient.Event> got = s.messagesThrough(ids.get(149), 10_000);
                assertThat(got.get(0).event()).isEqualTo("gap");
                assertThat(Json.object(got.get(0).data()))
                        .isEqualTo(Map.of("from", Long.toString(ids.get(0)), "to", Long.toString(ids.get(49))));
                assertThat(got).hasSize(101);
            }
        }
    }

    /**
     * {@code storage=memory} keeps nothing across a restart: a client resuming from the last broker's id is told
     * that everything after it is gone, then gets the new broker's events.
     */
    @Test
    @Timeout(20)
    void resumeFromAnEarlierMemoryBrokerGetsTheGapFromItsPoint() throws Exception {
        long seen;
        try (BrokerFixture before = BrokerFixture.start()) {
            seen = postNumbered(new Publisher(before.port()), 10, 10).get(4);
        }
        try (BrokerFixture broker = BrokerFixture.start()) {
            List<Long> ids = postNumbered(new Publisher(broker.port()), 3, 3);

            try (Subscriber s = Subscriber.open(broker.port(), "", Map.of("Last-Event-ID", Long.toString(seen)))) {
                List<SseClient.Event> got = s.messagesThrough(ids.get(2), 10_000);
                assertThat(got.get(0).event()).isEqualTo("gap");
                assertThat(Json.object(got.get(0).data()))
                        .isEqualTo(Map.of("from", Long.toString(seen + 1), "to", Long.toString(ids.get(0) - 1)));
                assertThat(got.subList(1, got.size())).extracting(e -> Received.of(e).id()).isEqualTo(ids);
            }
        }
    }

    @Test
    @Timeout(20)
    void resumeAtTheNewestIdReplaysNothingAndGoesLive() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            List<Long> ids = postNumbered(publisher, 20, 20);
            try (Subscriber s = Subscriber.open(broker.port(), "",
                    Map.of("Last-Event-ID", Long.toString(ids.get(19))))) {
                assertThat(s.messagesWithin(300)).isEmpty();
                List<Long> live = postNumbered(publisher, 3, 3);
                assertThat(Subscriber.ids(s.eventsThrough(live.get(2), 10_000))).isEqualTo(live);
            }
        }
    }

    @Test
    @Timeout(20)
    void tailStartsWithTheLastNMatchingRetainedEventsThenGoesLive() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            List<LogSpec> events = new EventMix("tail", 21).next(120);
            Accepted accepted = publisher.post(events);
            String query = "branch=team-a/*";
            FilterModel model = FilterModel.ofQuery(query);
            List<Long> matching = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                if (model.matches(events.get(i))) {
                    matching.add(accepted.id(i));
                }
            }
            assertThat(matching).hasSizeGreaterThan(5);

            try (Subscriber s = Subscriber.open(broker.port(), query + "&tail=5")) {
                List<Long> expected = matching.subList(matching.size() - 5, matching.size());
                assertThat(Subscriber.ids(s.eventsThrough(expected.get(4), 10_000))).isEqualTo(expected);
                assertThat(s.messagesWithin(200)).isEmpty();

                long unmatched = publisher.post(LogSpec.of("team-b/api", "log", "info", "x", "not for team a"));
                long matched = publisher.post(LogSpec.of("team-a/live", "log", "info", "x", "for team a"));
                List<Received> live = s.eventsThrough(matched, 10_000);
                assertThat(Subscriber.ids(live)).containsExactly(matched).doesNotContain(unmatched);
            }
        }
    }

    @Test
    @Timeout(20)
    void tailLargerThanRetentionStartsWithEverythingRetainedAndNoGap() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("ring.events", "100"))) {
            List<Long> ids = postNumbered(new Publisher(broker.port()), 150, 50);
            try (Subscriber s = Subscriber.open(broker.port(), "tail=1000")) {
                List<SseClient.Event> got = s.messagesThrough(ids.get(149), 10_000);
                List<Long> events = new ArrayList<>();
                for (SseClient.Event e : got) {
                    events.add(Received.of(e).id());
                }
                assertThat(events).isEqualTo(ids.subList(50, 150));
            }
        }
    }

    @Test
    @Timeout(20)
    void tailIsIgnoredWhenTheConnectionResumes() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            List<Long> ids = postNumbered(new Publisher(broker.port()), 30, 30);
            try (Subscriber s = Subscriber.open(broker.port(), "tail=3",
                    Map.of("Last-Event-ID", Long.toString(ids.get(9))))) {
                assertThat(Subscriber.ids(s.eventsThrough(ids.get(29), 10_000))).isEqualTo(ids.subList(10, 30));
            }
        }
    }

    /** Posts {@code n} plain events in batches of {@code perBatch}; returns their ids in order. */
    /**
     * After a restart the ring is read back from the journal within its bounds: large events (here 40 KiB each, 4 MiB
     * in all, against a 512 KiB ring) never all come into memory (a journal of such events could otherwise not be
     * started with a small heap), and the newest are there for {@code tail}.
     */
    @Test
    @Timeout(30)
    void aRestartReadsBackOnlyWhatTheRingMayHoldOfLargeEvents() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("logcast-preload");
        Map<String, String> settings = Map.of("storage", "disk", "data.dir", dir.toString(), "ring.bytes", "512KiB");
        List<Long> ids = new ArrayList<>();
        String big = "x".repeat(40 * 1024);
        try (BrokerFixture before = BrokerFixture.start(settings)) {
            Publisher publisher = new Publisher(before.port());
            for (int b = 0; b < 10; b++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    batch.add(LogSpec.of("main", "log", "info", "big", "event " + (b * 10 + i) + " " + big));
                }
                Accepted accepted = publisher.post(batch);
                for (long id = accepted.first(); id <= accepted.last(); id++) {
                    ids.add(id);
                }
            }
        }
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            double bytes = dev.logcast.broker.it.streamsupport.Metrics.value(broker, "logcast_retention_bytes");
            assertThat(bytes).as("ring bytes after the restart").isPositive().isLessThanOrEqualTo(512 * 1024);
            try (Subscriber s = Subscriber.open(broker.port(), "tail=3")) {
                List<Long> expected = ids.subList(ids.size() - 3, ids.size());
                assertThat(Subscriber.ids(s.eventsThrough(expected.get(2), 10_000))).isEqualTo(expected);
            }
        }
    }

    /**
     * A broker whose journal holds far more large events than its heap (48 MB of 40 KiB events, a 40 MB heap) starts,
     * because the read-back keeps to the ring's bounds (4 MiB here), and serves {@code tail} from it.
     */
    @Test
    @Timeout(60)
    void aBrokerWithASmallHeapRestartsOnAJournalOfLargeEvents() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("logcast-preload-heap");
        List<Long> ids = new ArrayList<>();
        String big = "y".repeat(40 * 1024);
        try (BrokerFixture before = BrokerFixture.start(Map.of("storage", "disk", "data.dir", dir.toString()))) {
            Publisher publisher = new Publisher(before.port());
            for (int b = 0; b < 60; b++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(LogSpec.of("main", "log", "info", "big", "event " + (b * 20 + i) + " " + big));
                }
                Accepted accepted = publisher.post(batch);
                for (long id = accepted.first(); id <= accepted.last(); id++) {
                    ids.add(id);
                }
            }
        }
        try (dev.logcast.broker.testing.ChildBroker child = dev.logcast.broker.testing.ChildBroker.start(dir,
                Map.of("ring.bytes", "4MiB"), "40m");
             Subscriber s = Subscriber.open(child.port(), "tail=2")) {
            List<Long> expected = ids.subList(ids.size() - 2, ids.size());
            assertThat(Subscriber.ids(s.eventsThrough(expected.get(1), 10_000))).isEqualTo(expected);
        }
    }

    static List<Long> postNumbered(Publisher publisher, int n, int perBatch) {
        List<Long> ids = new ArrayList<>(n);
        for (int done = 0; done < n; done += perBatch) {
            List<LogSpec> batch = new ArrayList<>();
            for (int i = done; i < Math.min(n, done + perBatch); i++) {
                batch.add(LogSpec.of("main", "log", "info", "numbered", "event " + i));
            }
            Accepted accepted = publisher.post(batch);
            for (long id = accepted.first(); id <= accepted.last(); id++) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static boolean allDone(List<Future<?>> futures) {
        for (Future<?> f : futures) {
            if (!f.isDone()) {
                return false;
            }
        }
        return true;
    }
}
