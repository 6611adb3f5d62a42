package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.Accepted;
import dev.logcast.broker.it.streamsupport.EventMix;
import dev.logcast.broker.it.streamsupport.FilterModel;
import dev.logcast.broker.it.streamsupport.LogSpec;
import dev.logcast.broker.it.streamsupport.Metrics;
import dev.logcast.broker.it.streamsupport.Poller;
import dev.logcast.broker.it.streamsupport.Publisher;
import dev.logcast.broker.it.streamsupport.Publisher.Format;
import dev.logcast.broker.it.streamsupport.RawHttp;
import dev.logcast.broker.it.streamsupport.Received;
import dev.logcast.broker.testing.BrokerFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET /v1/poll}, the long-poll fallback: a client that chains {@code after} from each answer's {@code last}
 * sees every matching event exactly once; {@code wait} holds an empty answer (at most 30 s); {@code limit} cuts an
 * answer without losing what was cut; {@code gap} reports what retention no longer has.
 */
class PollIT {

    @Test
    @Timeout(60)
    void chainingAfterFromEachAnswersLastGetsEveryEventExactlyOnceWhilePublishersPost() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            Poller poller = new Poller(broker.port());
            long marker = publisher.post(LogSpec.of("main", "log", "info", "marker", "before"));
            String filtered = "branch=team-a/*&level=warn";
            FilterModel model = FilterModel.ofQuery(filtered);

            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                List<Future<?>> posting = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    EventMix mix = new EventMix("poll" + p, 30 + p);
                    Format format = p == 0 ? Format.NDJSON : Format.GZIP_JSON;
                    posting.add(pool.submit(() -> {
                        int b = 0;
                        while (System.nanoTime() < until) {
                            publisher.post(format, mix.next(1 + (b++ % 17)));
                        }
                    }));
                }
                Future<List<Long>> all = pool.submit(() -> chain(poller, "", marker, posting, publisher));
                Future<List<Long>> some = pool.submit(() -> chain(poller, filtered + "&limit=7", marker, posting,
                        publisher));

                List<Long> gotAll = all.get(40, TimeUnit.SECONDS);
                for (Future<?> f : posting) {
                    f.get();
                }
                List<Long> expectedAll = new ArrayList<>(publisher.byId().tailMap(marker, false).keySet());
                assertThat(expectedAll).hasSizeGreaterThan(500);
                assertThat(gotAll).isEqualTo(expectedAll);

                List<Long> expectedSome = new ArrayList<>();
                publisher.byId().tailMap(marker, false).forEach((id, e) -> {
                    if (model.matches(e)) {
                        expectedSome.add(id);
                    }
                });
                assertThat(some.get(40, TimeUnit.SECONDS)).isEqualTo(expectedSome);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Polls with {@code wait=1}, passing each answer's {@code last} as the next {@code after}, until the publishers
     * are done and {@code last} reached their newest event; returns every id received, in order.
     */
    private static List<Long> chain(Poller poller, String filter, long start, List<Future<?>> posting,
                                    Publisher publisher) {
        List<Long> got = new ArrayList<>();
        long after = start;
        while (true) {
            boolean publishersDone = posting.stream().allMatch(Future::isDone);
            Poller.Answer a = poller.poll((filter.isEmpty() ? "" : filter + "&") + "wait=1&after=" + after);
            assertThat(a.gap()).isNull();
            for (Received r : a.events()) {
                assertThat(r.id()).as("event after %s", after).isGreaterThan(after).isLessThanOrEqualTo(a.last());
                got.add(r.id());
            }
            assertThat(a.last()).as("last after %s", after).isGreaterThanOrEqualTo(after);
            after = a.last();
            if (publishersDone && after >= publisher.byId().lastKey()) {
                return got;
            }
        }
    }

    @Test
    @Timeout(20)
    void emptyPollWaitsForItsWaitThenAnswersNoEventsAndTheLastId() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            long marker = new Publisher(broker.port()).post(LogSpec.of("main", "log", "info", "m", "only one"));

            Poller.Answer a = new Poller(broker.port()).poll("after=" + marker + "&wait=1");

            assertThat(a.events()).isEmpty();
            assertThat(a.last()).isEqualTo(marker);
            assertThat(a.gap()).isNull();
            assertThat(a.elapsedMs()).as("answered after the 1 s wait").isBetween(900L, 3_000L);
        }
    }

    /**
     * A client that shuts its sending side while its poll waits has mostly gone away (its close arrives as a FIN):
     * the poll answers at once, as if its wait ran out, and the connection closes, instead of holding a waiter and a
     * socket for up to 30 s.
     */
    @Test
    @Timeout(20)
    void aPollWhoseClientShutsItsSideAnswersAtOnceAndCloses() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             RawHttp raw = RawHttp.connect(broker.port())) {
            long marker = new Publisher(broker.port()).post(LogSpec.of("main", "log", "info", "m", "only one"));
            raw.send("GET /v1/poll?wait=30&after=" + marker + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Metrics.await(broker, "logcast_poll_waiters", 1, 5_000);

            long started = System.nanoTime();
            raw.socket().shutdownOutput();
            RawHttp.Response answer = raw.readResponse();
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"events\":[],\"last\":\"" + marker + "\",\"gap\":null}");
            assertThat(tookMs).as("answered at once, not after the 30 s wait").isLessThan(5_000);
            assertThat(raw.input().read()).as("then closed").isEqualTo(-1);
            Metrics.await(broker, "logcast_poll_waiters", 0, 5_000);
        }
    }

    @Test
    @Timeout(20)
    void waitingPollAnswersAsSoonAsAMatchingEventArrives() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            Poller poller = new Poller(broker.port());
            long marker = publisher.post(LogSpec.of("main", "log", "info", "m", "marker"));
            CompletableFuture<Poller.Answer> answer = CompletableFuture.supplyAsync(
                    () -> poller.poll("after=" + marker + "&wait=20&branch=wanted"));
            // the events must arrive while the poll waits on its shard
            Metrics.await(broker, "logcast_poll_waiters", 1, 5_000);
            assertThat(answer).isNotDone();
            publisher.post(LogSpec.of("other", "log", "info", "m", "not wanted"));
            Accepted wanted = publisher.post(List.of(LogSpec.of("wanted", "log", "info", "m", "wanted 1"),
                    LogSpec.of("wanted", "log", "info", "m", "wanted 2")));

            Poller.Answer a = answer.get(10, TimeUnit.SECONDS);
            assertThat(a.ids()).containsExactly(wanted.first(), wanted.last());
            assertThat(a.events().get(1).msg()).isEqualTo("wanted 2");
            assertThat(a.last()).isEqualTo(wanted.last());
        }
    }

    @Test
    @Timeout(50)
    void waitOverThirtySecondsIsCappedAtThirty() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            long marker = new Publisher(broker.port()).post(LogSpec.of("main", "log", "info", "m", "marker"));

            Poller.Answer a = new Poller(broker.port()).poll("after=" + marker + "&wait=3600");

            assertThat(a.events()).isEmpty();
            assertThat(a.last()).isEqualTo(marker);
            assertThat(a.elapsedMs()).isBetween(29_000L, 36_000L);
        }
    }

    @Test
    @Timeout(20)
    void limitCutsTheAnswerAndLastLetsTheNextPollContinueWithoutLoss() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            long marker = publisher.post(LogSpec.of("main", "log", "info", "m", "marker"));
            List<Long> ids = ResumeIT.postNumbered(publisher, 25, 25);
            Poller poller = new Poller(broker.port());

            Poller.Answer first = poller.poll("after=" + marker + "&limit=10");
            assertThat(first.ids()).isEqualTo(ids.subList(0, 10));
            assertThat(first.last()).isEqualTo(ids.get(9));
            Poller.Answer second = poller.poll("after=" + first.last() + "&limit=10");
            assertThat(second.ids()).isEqualTo(ids.subList(10, 20));
            assertThat(second.last()).isEqualTo(ids.get(19));
            Poller.Answer third = poller.poll("after=" + second.last() + "&limit=10");
            assertThat(third.ids()).isEqualTo(ids.subList(20, 25));
            assertThat(third.last()).isEqualTo(ids.get(24));
            Poller.Answer empty = poller.poll("after=" + third.last() + "&limit=10");
            assertThat(empty.ids()).isEmpty();
            assertThat(empty.last()).isEqualTo(ids.get(24));
        }
    }

    /**
     * An answer holds at most about 4 MiB of events whatever the limit, from memory and from the journal alike:
     * 120 events of 60 KiB come in several answers, chained by last, each event once.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "storage={0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"memory", "disk"})
    @Timeout(30)
    void largeEventsComeInAnswersOfBoundedSize(String storage) throws Exception {
        Map<String, String> settings = storage.equals("disk")
                ? Map.of("storage", "disk", "ring.events", "1") : Map.of("storage", "memory");
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            Publisher publisher = new Publisher(broker.port());
            long marker = publisher.post(LogSpec.of("main", "log", "info", "m", "marker"));
            String big = "z".repeat(60 * 1024);
            List<Long> ids = new ArrayList<>();
            for (int b = 0; b < 6; b++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(LogSpec.of("main", "log", "info", "big", b + "/" + i + " " + big));
                }
                var accepted = publisher.post(batch);
                for (int i = 0; i < 20; i++) {
                    ids.add(accepted.id(i));
                }
            }
            Poller poller = new Poller(broker.port());
            List<Long> got = new ArrayList<>();
            long after = marker;
            int answers = 0;
            while (got.size() < ids.size() && answers < 50) {
                Poller.Answer a = poller.poll("after=" + after + "&limit=10000");
                assertThat(a.ids()).as("an answer of at most about 4 MiB").isNotEmpty().hasSizeLessThanOrEqualTo(70);
                got.addAll(a.ids());
                after = a.last();
                answers++;
            }
            assertThat(got).isEqualTo(ids);
            assertThat(answers).isGreaterThan(1);
        }
    }

    @Test
    @Timeout(20)
    void limitCutsALiveAnswerAndTheNextPollGetsTheRestFromRetention() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            Poller poller = new Poller(broker.port());
            long marker = publisher.post(LogSpec.of("main", "log", "info", "m", "marker"));
            CompletableFuture<Poller.Answer> waiting = CompletableFuture.supplyAsync(
                    () -> poller.poll("after=" + marker + "&wait=20&limit=10"));
            Metrics.await(broker, "logcast_poll_waiters", 1, 5_000);
            assertThat(waiting).isNotDone();
            List<Long> ids = ResumeIT.postNumbered(publisher, 25, 25);

            Poller.Answer cut = waiting.get(10, TimeUnit.SECONDS);
            assertThat(cut.ids()).isEqualTo(ids.subList(0, 10));
            assertThat(cut.last()).isEqualTo(ids.get(9));
            Poller.Answer rest = poller.poll("after=" + cut.last() + "&limit=100");
            assertThat(rest.ids()).isEqualTo(ids.subList(10, 25));
            assertThat(rest.last()).isEqualTo(ids.get(24));
        }
    }

    @Test
    @Timeout(20)
    void afterOlderThanRetentionAnswersTheGapAndTheRetainedEvents() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("ring.events", "100"))) {
            List<Long> ids = ResumeIT.postNumbered(new Publisher(broker.port()), 300, 30);

            Poller.Answer a = new Poller(broker.port()).poll("after=" + ids.get(49));

            assertThat(a.gap()).isEqualTo(Map.of("from", Long.toString(ids.get(50)), "to",
                    Long.toString(ids.get(199))));
            assertThat(a.ids()).isEqualTo(ids.subList(200, 300));
            assertThat(a.last()).isEqualTo(ids.get(299));
        }
    }

    @Test
    @Timeout(20)
    void filtersApplyToPolls() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Publisher publisher = new Publisher(broker.port());
            long marker = publisher.post(LogSpec.of("main", "log", "info", "m", "marker"));
            List<LogSpec> events = new EventMix("pollfilter", 41).next(400);
            Accepted accepted = publisher.post(events);
            Poller poller = new Poller(broker.port());
            for (String query : List.of("branch=team-a/*&level=warn", "type=error,api&source=*-svc",
                    "q=TIMEOUT&q=deadlock&branch=main,team-b/api", "level=fatal")) {
                FilterModel model = FilterModel.ofQuery(query);
                List<Long> expected = new ArrayList<>();
                for (int i = 0; i < events.size(); i++) {
                    if (model.matches(events.get(i))) {
                        expected.add(accepted.id(i));
                    }
                }
                assertThat(expected).as(query).isNotEmpty();

                Poller.Answer a = poller.poll(query + "&after=" + marker);
                assertThat(a.ids()).as(query).isEqualTo(expected);
                for (Received r : a.events()) {
                    assertThat(model.matches(r.asSpec())).as("%s matches %s", r.json(), query).isTrue();
                }
                assertThat(a.last()).as(query).isBetween(expected.get(expected.size() - 1), accepted.last());
                assertThat(poller.poll(query + "&after=" + a.last()).ids()).as(query).isEmpty();
            }
        }
    }

    static Stream<Arguments> badPolls() {
        return Stream.of(
                Arguments.of("after=xyz", "after"),
                Arguments.of("after=-3", "after"),
                Arguments.of("wait=soon", "wait"),
                Arguments.of("wait=-1", "wait"),
                Arguments.of("limit=0", "limit"),
                Arguments.of("limit=many", "limit"),
                Arguments.of("level=loud", "level"),
                Arguments.of("branch=a%20b", "branch"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPolls")
    @Timeout(10)
    void badPollParameterIs400WithJsonErrorNamingIt(String query, String parameter) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            StreamProtocolIT.assertBadRequest(broker.get("/v1/poll?" + query), parameter);
        }
    }
}
