package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.EventMix;
import dev.logcast.broker.it.streamsupport.FilterModel;
import dev.logcast.broker.it.streamsupport.LogSpec;
import dev.logcast.broker.it.streamsupport.Publisher;
import dev.logcast.broker.it.streamsupport.Publisher.Format;
import dev.logcast.broker.it.streamsupport.Received;
import dev.logcast.broker.it.streamsupport.Subscriber;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fan-out end to end: many subscribers with different filters on one broker, several publishers posting at once
 * in every body format. Each subscriber must get exactly the events its filter matches, in strictly increasing id
 * order, none missing and none twice. What "matches" means is computed by {@link FilterModel} from the same query
 * string, and which event has which id from the publishers' 202 answers.
 */
class FanoutFilterIT {
    /** The unfiltered subscriber first: it is the witness for the OTLP events, whose answers carry no ids. */
    private static final List<String> QUERIES = List.of(
            "",
            "branch=team-a/*",
            "branch=main",
            "type=error,api",
            "type=error&type=metric",
            "level=warn",
            "level=fatal,warn",
            "source=*-svc",
            "q=timeout",
            "q=%C3%A4rger",
            "branch=team-a/*&level=error&type=error,log",
            "source=checkout-*,auth-gw&q=deadlock&q=TIMEOUT",
            "branch=team-*/api&level=info",
            "branch=release/1.2,main&source=batch.worker:1,web-*");

    @Test
    @Timeout(90)
    void everySubscriberGetsExactlyItsMatchingEventsInIdOrderFromConcurrentPublishers() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            List<Subscriber> subscribers = new ArrayList<>();
            try {
                for (String q : QUERIES) {
                    subscribers.add(Subscriber.open(broker.port(), q));
                }
                // the same filters over gzip streams, which batch and compress the very same frames
                for (String q : List.of("branch=team-a/*", "source=checkout-*,auth-gw&q=deadlock&q=TIMEOUT")) {
                    subscribers.add(Subscriber.open(broker.port(), q, Map.of("Accept-Encoding", "gzip")));
                }
                Publisher publisher = new Publisher(broker.port());
                ExecutorService pool = Executors.newFixedThreadPool(5);
                List<Future<?>> posting = new ArrayList<>();
                posting.add(pool.submit(() -> postBatches(publisher, Format.JSON, "json", 1, 24, 50)));
                posting.add(pool.submit(() -> postBatches(publisher, Format.NDJSON, "ndjson", 2, 30, 40)));
                posting.add(pool.submit(() -> postBatches(publisher, Format.GZIP_JSON, "gzjson", 3, 10, 60)));
                posting.add(pool.submit(() -> postBatches(publisher, Format.GZIP_NDJSON, "gzndjson", 4, 20, 35)));
                posting.add(pool.submit(() -> {
                    EventMix mix = new EventMix("otlp", 5);
                    for (int b = 0; b < 20; b++) {
                        publisher.postOtlpJson(mix.next(25));
                    }
                }));
                for (Future<?> f : posting) {
                    f.get(60, TimeUnit.SECONDS);
                }
                pool.shutdown();

                Map<Long, LogSpec> everything = witnessEverything(subscribers.get(0), publisher);
                assertThat(everything).hasSize(4_200);

                for (Subscriber s : subscribers.subList(1, subscribers.size())) {
                    FilterModel model = FilterModel.ofQuery(s.query());
                    List<Long> expected = new ArrayList<>();
                    everything.forEach((id, e) -> {
                        if (model.matches(e)) {
                            expected.add(id);
                        }
                    });
                    assertThat(expected).as("test data for ?%s", s.query()).isNotEmpty()
                            .hasSizeLessThan(everything.size());
                    List<Received> got = s.eventsThrough(expected.get(expected.size() - 1), 30_000);
                    assertThat(Subscriber.ids(got)).as("ids for ?%s", s.query()).isEqualTo(expected);
                    for (Received r : got) {
                        assertThat(r.asSpec()).as("event %s for ?%s", r.id(), s.query())
                                .isEqualTo(normalized(everything.get(r.id())));
                    }
                }
                for (Subscriber s : subscribers) {
                    assertThat(s.messagesWithin(s == subscribers.get(0) ? 300 : 20))
                            .as("messages after the last expected one for ?%s", s.query()).isEmpty();
                }
            } finally {
                for (Subscriber s : subscribers) {
                    s.close();
                }
            }
        }
    }

    private static void postBatches(Publisher publisher, Format format, String tag, long seed, int batches,
                                    int perBatch) {
        EventMix mix = new EventMix(tag, seed);
        for (int b = 0; b < batches; b++) {
            publisher.post(format, mix.next(perBatch));
        }
    }

    /**
     * Reads the unfiltered stream: every natively posted event under its id, every OTLP record once (found by its
     * msg) with the contract's mapping, no other event, ids strictly increasing and without holes (nobody else
     * posts here). Returns all events by id.
     */
    private static Map<Long, LogSpec> witnessEverything(Subscriber all, Publisher publisher) throws Exception {
        int total = publisher.byId().size() + publisher.otlpByMsg().size();
        List<SseClient.Event> raw = all.client().messages(total, 30_000);
        TreeMap<Long, LogSpec> everything = new TreeMap<>();
        Map<String, Long> otlpSeen = new HashMap<>();
        long previous = -1;
        for (SseClient.Event e : raw) {
            Received r = Received.of(e);
            if (previous >= 0) {
                assertThat(r.id()).as("id after %s", previous).isEqualTo(previous + 1);
            }
            previous = r.id();
            LogSpec posted = publisher.byId().get(r.id());
            if (posted == null) {
                posted = publisher.otlpByMsg().get(r.msg());
                assertThat(posted).as("event %s is neither a native id nor an OTLP record: %s", r.id(), r.json())
                        .isNotNull();
                assertThat(otlpSeen.put(r.msg(), r.id())).as("OTLP record %s seen twice", r.msg()).isNull();
            }
            assertThat(r.asSpec()).as("event %s", r.id()).isEqualTo(normalized(posted));
            everything.put(r.id(), posted);
        }
        assertThat(otlpSeen).hasSameSizeAs(publisher.otlpByMsg());
        assertThat(everything.keySet()).containsAll(publisher.byId().keySet());
        return everything;
    }

    /** What the broker sends back for a posted event: the level in lower case, attrs as an object. */
    private static LogSpec normalized(LogSpec posted) {
        return new LogSpec(posted.branch(), posted.type(), posted.wireLevel(), posted.source(), posted.msg(),
                new LinkedHashMap<>(posted.attrs()));
    }
}
