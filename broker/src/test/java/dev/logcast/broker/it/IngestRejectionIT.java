package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/logs} end to end, the refused side: every kind of bad input gets the contract's status and JSON
 * error body naming the event and the field, never a 5xx, and stores nothing: no event appears in a poll, and the
 * next accepted event takes the very next id.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IngestRejectionIT {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final int MAX_BODY = 64 * 1024;

    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(Map.of(
                "ingest.max.body", "64KiB",
                "ingest.max.events", "50",
                "ingest.max.msg", "1KiB",
                "ingest.max.attrs", "4",
                "ingest.max.attr.key", "16",
                "ingest.max.attr.value", "64"));
    }

    @AfterAll
    static void stop() throws IOException {
        broker.close();
    }

    /** name, content type, content encoding, body, status, index, what the error must say. */
    static Stream<Arguments> badBodies() {
        String ok = "{\"msg\":\"ok\"}";
        return Stream.of(
                // malformed and truncated JSON
                bad("malformed object", JSON, "{\"msg\": }", 400, 0, "malformed JSON"),
                bad("malformed second event", JSON, "[" + ok + ",{\"msg\":\"b\",}]", 400, 1, "event 1: malformed JSON"),
                bad("truncated object", JSON, "{\"msg\":\"a\"", 400, 0, "truncated"),
                bad("truncated array", JSON, "[" + ok + ",{\"msg\":\"b\"", 400, 1, "truncated"),
                bad("trailing garbage", JSON, ok + " x", 400, null, "malformed JSON"),
                bad("second top-level value", JSON, ok + ok, 400, null, "trailing data"),
                bad("top-level string", JSON, "\"hello\"", 400, null, "expected an event object"),
                bad("array of numbers", JSON, "[1]", 400, 0, "expected an event object"),
                bad("duplicate key", JSON, "{\"msg\":\"a\",\"msg\":\"b\"}", 400, 0, "malformed JSON"),
                bad("deep nesting in an unknown member", JSON,
                        "{\"x\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}", 400, 0, "malformed JSON"),
                // wrong field types and broken field rules
                bad("level a number", JSON, "{\"level\":5}", 400, 0, "field \"level\""),
                bad("level unknown", JSON, "{\"level\":\"loud\"}", 400, 0, "field \"level\""),
                bad("level null", JSON, "{\"level\":null}", 400, 0, "field \"level\""),
                bad("msg a number", JSON, "{\"msg\":42}", 400, 0, "field \"msg\""),
                bad("msg an object", JSON, "{\"msg\":{\"a\":1}}", 400, 0, "field \"msg\""),
                bad("ts a boolean", JSON, "{\"ts\":true}", 400, 0, "field \"ts\""),
                bad("ts not a date", JSON, "{\"ts\":\"yesterday\"}", 400, 0, "field \"ts\""),
                bad("ts month 13", JSON, "{\"ts\":\"2026-13-01T00:00:00Z\"}", 400, 0, "field \"ts\""),
                bad("ts without zone", JSON, "{\"ts\":\"2026-11-24T12:00:00\"}", 400, 0, "field \"ts\""),
                bad("ts epoch out of range", JSON, "{\"ts\":1e300}", 400, 0, "field \"ts\""),
                bad("type upper case", JSON, "{\"type\":\"Log\"}", 400, 0, "field \"type\""),
                bad("type too long", JSON, "{\"type\":\"" + "a".repeat(33) + "\"}", 400, 0, "field \"type\""),
                bad("type empty", JSON, "{\"type\":\"\"}", 400, 0, "field \"type\""),
                bad("source with a space", JSON, "{\"source\":\"checkout svc\"}", 400, 0, "field \"source\""),
                bad("source a number", JSON, "{\"source\":7}", 400, 0, "field \"source\""),
                bad("branch with CRLF", JSON, "{\"branch\":\"main\\r\\nX: y\"}", 400, 0, "field \"branch\""),
                bad("branch too long", JSON, "{\"branch\":\"" + "b".repeat(129) + "\"}", 400, 0, "field \"branch\""),
                bad("attrs an array", JSON, "{\"attrs\":[]}", 400, 0, "field \"attrs\""),
                bad("attrs nested object", JSON, "{\"attrs\":{\"a\":{\"b\":1}}}", 400, 0, "field \"attrs.a\""),
                bad("attrs null value", JSON, "{\"attrs\":{\"a\":null}}", 400, 0, "field \"attrs.a\""),
                bad("msg with a lone surrogate", JSON, "{\"msg\":\"\\ud800\"}", 400, 0, "field \"msg\""),
                // atomic batches: the index is the bad event's position
                bad("bad event in the middle", JSON,
                        "[" + ok + "," + ok + ",{\"level\":\"loud\"}," + ok + "]", 400, 2, "event 2: field \"level\""),
                bad("bad ndjson line", NDJSON, ok + "\n" + ok + "\n{\"msg\":1}\n" + ok + "\n", 400, 2,
                        "event 2: field \"msg\""),
                bad("two objects on one ndjson line", NDJSON, ok + "\n" + ok + ok + "\n", 400, 1, "event 1"),
                bad("ndjson object over two lines", NDJSON, ok + "\n{\"msg\":\n\"a\"}\n", 400, 1, "event 1"),
                bad("truncated ndjson", NDJSON, ok + "\n{\"msg\":\"a", 400, 1, "truncated"),
                // invalid UTF-8
                bad("invalid UTF-8 byte", JSON, utf8Hole(new byte[] {(byte) 0xff}), 400, null, "UTF-8"),
                bad("overlong UTF-8", JSON, utf8Hole(new byte[] {(byte) 0xc0, (byte) 0xaf}), 400, null, "UTF-8"),
                bad("UTF-8 encoded surrogate", JSON, utf8Hole(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                        400, null, "UTF-8"),
                bad("cut UTF-8 sequence", NDJSON, utf8Hole(new byte[] {(byte) 0xe2, (byte) 0x82}), 400, null,
                        "UTF-8"),
                bad("UTF-16 body", JSON, "{\"msg\":\"a\"}".getBytes(StandardCharsets.UTF_16LE), 400, null, null),
                // empty bodies
                bad("empty json", JSON, "", 400, null, "empty"),
                bad("blank json", JSON, "  \r\n ", 400, null, "empty"),
                bad("empty ndjson", NDJSON, "", 400, null, "empty"),
                bad("blank ndjson", NDJSON, "\n\n", 400, null, "empty"),
                // limits
                bad("more than max events", JSON,
                        "[" + String.join(",", Collections.nCopies(51, ok)) + "]", 413, null, "more than 50 events"),
                bad("more than max ndjson lines", NDJSON, String.join("\n", Collections.nCopies(51, ok)), 413, null,
                        "more than 50 events"),
                bad("msg over max", JSON, "{\"msg\":\"" + "m".repeat(1025) + "\"}", 413, 0, "field \"msg\""),
                bad("msg over max in UTF-8 bytes", JSON, "{\"msg\":\"" + "€".repeat(342) + "\"}", 413, 0,
                        "field \"msg\""),
                bad("too many attrs", JSON, "{\"attrs\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}}", 413, 0,
                        "field \"attrs\""),
                bad("attr key too long", JSON, "{\"attrs\":{\"" + "k".repeat(17) + "\":1}}", 413, 0,
                        "field \"attrs." + "k".repeat(17) + "\""),
                bad("attr value too long", JSON, "{\"attrs\":{\"v\":\"" + "v".repeat(65) + "\"}}", 413, 0,
                        "field \"attrs.v\""),
                bad("attr number too long", JSON, "{\"attrs\":{\"n\":" + "9".repeat(65) + "}}", 413, 0,
                        "field \"attrs.n\""),
                bad("limit broken in the third event", JSON,
                        "[" + ok + "," + ok + ",{\"msg\":\"" + "m".repeat(1025) + "\"}]", 413, 2, "event 2"),
                // content types and encodings
                bad("text/plain", "text/plain", ok, 415, null, "Content-Type"),
                bad("application/xml", "application/xml", ok, 415, null, "Content-Type"),
                bad("form", "application/x-www-form-urlencoded", "msg=ok", 415, null, "Content-Type"),
                bad("json in latin-1", "application/json; charset=iso-8859-1", ok, 415, null, "charset"),
                bad("ndjson in utf-16", "application/x-ndjson; charset=UTF-16", ok, 415, null, "charset"),
                bad("NaN", JSON, "{\"attrs\":{\"v\":NaN}}", 400, 0, "Non-standard token 'NaN'"),
                badEncoded("br", JSON, "br", bytes(ok), 415, null, "Content-Encoding"),
                badEncoded("compress", JSON, "compress", bytes(ok), 415, null, "Content-Encoding"),
                badEncoded("deflate", JSON, "deflate", bytes(ok), 415, null, "Content-Encoding"),
                badEncoded("gzip twice", JSON, "gzip, gzip", gzip(gzip(bytes(ok))), 415, null, "Content-Encoding"),
                // gzip
                badEncoded("truncated gzip", JSON, "gzip", truncate(gzip(bytes("[" + ok + "," + ok + "]")), 10), 400,
                        null, "truncated"),
                badEncoded("not gzip", JSON, "gzip", bytes(ok), 400, null, "gzip"),
                badEncoded("gzip of nothing", JSON, "gzip", gzip(new byte[0]), 400, null, "empty"),
                badEncoded("bytes after the gzip member", JSON, "gzip", concat(gzip(bytes(ok)), bytes("junk")), 400,
                        null, "after its last member"),
                badEncoded("many bytes after the gzip member", JSON, "gzip",
                        concat(gzip(bytes(ok)), new byte[100]), 400, null, "after its last member"),
                badEncoded("gzip of malformed json", JSON, "gzip", gzip(bytes("{\"msg\":")), 400, 0, "truncated"),
                badEncoded("gzip over max body once inflated", NDJSON, "gzip", gzip(new byte[MAX_BODY + 1]), 413, null,
                        "decompression"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIsRefusedWithTheContractStatusAndStoresNothing(String name, String contentType, String encoding,
                                                                byte[] body, int status, Integer index,
                                                                String errorSays) throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post(contentType, encoding, body);

        assertErrorBody(r, status, index, errorSays);
        assertNothingStoredSince(before);
    }

    @Test
    void missingContentTypeIs415() throws Exception {
        long before = broker.lastEventId();

        BrokerFixture.RawResponse r = rawPost(Map.of(), bytes("{\"msg\":\"ok\"}"));

        assertThat(r.status()).isEqualTo(415);
        assertThat(r.json()).containsOnlyKeys("error", "index").containsEntry("index", null);
        assertThat((String) r.json().get("error")).startsWith("no Content-Type;");
        assertNothingStoredSince(before);
    }

    @Test
    void gzipMembersOneAfterAnotherAreOneBody() throws Exception {
        long before = broker.lastEventId();
        byte[] body = concat(gzip(bytes("{\"msg\":\"one\"}\n")), gzip(bytes("{\"msg\":\"two\"}\n")));

        HttpResponse<String> r = broker.post(NDJSON, "gzip", body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("one", "two");
    }

    @Test
    void aUtf8CharsetParameterIsAccepted() throws Exception {
        for (String type : List.of("application/json; charset=utf-8", "application/json;charset=\"UTF-8\"",
                "application/x-ndjson; charset=utf8")) {
            assertThat(broker.post(type, "{\"msg\":\"ok\"}").statusCode()).as(type).isEqualTo(202);
        }
    }

    @Test
    void parserAdviceIsLeftOutOfTheError() throws Exception {
        HttpResponse<String> nan = broker.post(JSON, "{\"attrs\":{\"v\":NaN}}");
        HttpResponse<String> deep = broker.post(JSON, "{\"attrs\":" + "[".repeat(2000) + "]".repeat(2000) + "}");

        assertThat(nan.statusCode()).isEqualTo(400);
        assertThat(deep.statusCode()).isEqualTo(400);
        for (HttpResponse<String> r : List.of(nan, deep)) {
            assertThat((String) BrokerFixture.jsonObject(r.body()).get("error")).doesNotContain("`")
                    .doesNotContain("JsonReadFeature").doesNotContain("StreamReadConstraints");
        }
    }

    @Test
    void bodyOverMaxBodyIs413AndStoresNothing() throws Exception {
        long before = broker.lastEventId();
        byte[] body = new byte[MAX_BODY + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        byte[] event = bytes("{\"msg\":\"big\"}");
        System.arraycopy(event, 0, body, 0, event.length);

        BrokerFixture.RawResponse r = rawPost(Map.of("Content-Type", JSON), body);

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.json()).containsOnlyKeys("error", "index").containsEntry("index", null);
        assertNothingStoredSince(before);
    }

    @Test
    void chunkedBodyOverMaxBodyIs413() throws Exception {
        long before = broker.lastEventId();
        try (BrokerFixture.RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String chunk = " ".repeat(16 * 1024);
            for (int i = 0; i < 5; i++) {
                c.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            c.write("0\r\n\r\n");

            BrokerFixture.RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(413);
            assertThat(r.json()).containsOnlyKeys("error", "index").containsEntry("index", null);
        }
        assertNothingStoredSince(before);
    }

    @Test
    void aBadBatchNeverReachesALiveStream() throws Exception {
        try (SseClient stream = SseClient.open(broker.port(), "/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            long probe = postOk("{\"msg\":\"probe\"}");
            assertThat(stream.nextMessage(5_000)).extracting(SseClient.Event::id)
                    .isEqualTo(Long.toUnsignedString(probe));

            HttpResponse<String> bad = broker.post(JSON, "[{\"msg\":\"1\"},{\"msg\":\"2\"},{\"level\":7}]");
            long good = postOk("{\"msg\":\"after\"}");

            assertThat(bad.statusCode()).isEqualTo(400);
            SseClient.Event next = stream.nextMessage(5_000);
            assertThat(next).isNotNull();
            assertThat(next.id()).isEqualTo(Long.toUnsignedString(good));
            assertThat(good).isEqualTo(probe + 1);
        }
    }

    /** A gzip bomb: 1 GiB of zeros in about 1 MiB. The broker stops inflating at the body limit. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void gzipBombIsRefusedWith413QuicklyAndOthersAreStillServed() throws Exception {
        byte[] bomb = gzipZeros(1L << 30);
        assertThat(bomb.length).isLessThan(2 << 20);
        try (BrokerFixture defaults = BrokerFixture.start(Map.of());
             SseClient stream = SseClient.open(defaults.port(), "/v1/stream")) {
            long before = defaults.lastEventId();

            long t0 = System.nanoTime();
            HttpResponse<String> r = defaults.post(NDJSON, "gzip", bomb);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertErrorBody(r, 413, null, "decompression");
            assertThat(tookMs).as("time to refuse the bomb").isLessThan(3_000);
            assertThat(defaults.eventsAfter(before)).isEmpty();
            HttpResponse<String> ok = defaults.post(JSON, "{\"msg\":\"still here\"}");
            assertThat(ok.statusCode()).isEqualTo(202);
            SseClient.Event e = stream.nextMessage(5_000);
            assertThat(e).isNotNull();
            assertThat(BrokerFixture.jsonObject(e.data())).containsEntry("msg", "still here")
                    .containsEntry("id", Long.toUnsignedString(before + 1));
        }
    }

    @Test
    void gzipBombsInParallelDoNotStopTheBroker() throws Exception {
        byte[] bomb = gzipZeros(64L << 20);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> broker.post(NDJSON, "gzip", bomb).statusCode()));
            }
            long id = postOk("{\"msg\":\"during\"}");
            for (java.util.concurrent.Future<Integer> a : answers) {
                assertThat(a.get(20, TimeUnit.SECONDS)).isEqualTo(413);
            }
            assertThat(broker.eventsAfter(id - 1)).extracting(e -> e.get("msg")).containsExactly("during");
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers

    private static void assertErrorBody(HttpResponse<String> r, int status, Integer index, String errorSays) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).as("content type")
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        Map<String, Object> error = BrokerFixture.jsonObject(r.body());
        assertThat(error).as(r.body()).containsOnlyKeys("error", "index");
        assertThat(error.get("index")).as("index in " + r.body()).isEqualTo(index == null ? null : (long) index);
        assertThat(error.get("error")).isInstanceOf(String.class);
        if (errorSays != null) {
            assertThat((String) error.get("error")).containsIgnoringCase(errorSays);
        }
    }

    /** No event after {@code before} and the next accepted event gets {@code before + 1}: no id was used. */
    private static void assertNothingStoredSince(long before) throws Exception {
        assertThat(broker.eventsAfter(before)).as("events stored by the refused request").isEmpty();
        assertThat(postOk("{\"msg\":\"next\"}")).as("id of the next accepted event").isEqualTo(before + 1);
    }

    private static long postOk(String body) throws Exception {
        HttpResponse<String> r = broker.post(JSON, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Long.parseUnsignedLong((String) BrokerFixture.jsonObject(r.body()).get("first"));
    }

    private static BrokerFixture.RawResponse rawPost(Map<String, String> headers, byte[] body) throws IOException {
        try (BrokerFixture.RawConnection c = broker.connect()) {
            StringBuilder head = new StringBuilder("POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            Map<String, String> all = new HashMap<>(headers);
            all.put("Content-Length", Integer.toString(body.length));
            all.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            c.write(head.append("\r\n").toString());
            c.write(body);
            return c.readResponse();
        }
    }

    private static Arguments bad(String name, String contentType, String body, int status, Integer index,
                                 String errorSays) {
        return bad(name, contentType, bytes(body), status, index, errorSays);
    }

    private static Arguments bad(String name, String contentType, byte[] body, int status, Integer index,
                                 String errorSays) {
        return Arguments.of(name, contentType, null, body, status, index, errorSays);
    }

    private static Arguments badEncoded(String name, String contentType, String encoding, byte[] body, int status,
                                        Integer index, String errorSays) {
        return Arguments.of(name, contentType, encoding, body, status, index, errorSays);
    }

    /** {@code {"msg":"a<bytes>b"}}: a JSON body that is well-formed but for the bytes in the middle. */
    private static byte[] utf8Hole(byte[] hole) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("{\"msg\":\"a"));
        out.writeBytes(hole);
        out.writeBytes(bytes("b\"}"));
        return out.toByteArray();
    }

    private static byte[] truncate(byte[] b, int cut) {
        return java.util.Arrays.copyOf(b, b.length - cut);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** {@code n} zero bytes, gzip, made a MiB at a time: the plain text is never held. */
    static byte[] gzipZeros(long n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2 << 20);
        byte[] zeros = new byte[1 << 20];
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            for (long left = n; left > 0; left -= zeros.length) {
                gz.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
