package dev.logcast.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.google.protobuf.CodedOutputStream;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.ingest.IngestException;
import dev.logcast.protocol.ingest.NativeDecoder;
import dev.logcast.protocol.journal.JournalCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-event work of batched ingest on the I/O thread, stage by stage, for one POST of 100 NDJSON events shaped
 * like the load generator's (100 bytes: level, type, source, branch and a 66-character msg): decoding and validating
 * them ({@code decode}), jackson's tokenizer alone over the same body as the floor under that ({@code tokenize}),
 * encoding each event's JSON for its SSE frame ({@code encodeTails}), and encoding their journal records
 * ({@code journalRecords}). Scores are per event; with {@code -prof gc}, {@code gc.alloc.rate.norm}
 * is the bytes allocated per event.
 *
 * <pre>java -cp bench/target/logcast-bench.jar org.openjdk.jmh.Main IngestBenchmark -prof gc</pre>
 *
 * (the shaded jar's main class is the load generator). Give the fork the broker's JIT options with
 * {@code -jvmArgsAppend "$(bin/logcast --java-opts)"} to see what they cost or bring here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
public class IngestBenchmark {
    static final int EVENTS = 100;

    private ByteBuf body;
    private LogEvent[] events;
    private final JournalCodec.RecordEncoder recordEncoder = new JournalCodec.RecordEncoder();
    private final ByteBuffer journalBuffer = ByteBuffer.allocateDirect(1 << 20);
    private long receivedMillis;

    @Setup
    public void setUp() throws IngestException {
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            String line = String.format("{\"level\":\"info\",\"type\":\"log\",\"source\":\"loadgen\",\"branch\":\"b1\","
                    + "\"msg\":\"~L0001%04x%08x%010x", 1, i, 0x12345678L + i);
            StringBuilder padded = new StringBuilder(line);
            while (padded.length() < 98) {
                padded.append('.');
            }
            ndjson.append(padded).append("\"}\n");
        }
        bodyArray = ndjson.toString().getBytes(StandardCharsets.UTF_8);
        body = Unpooled.directBuffer().writeBytes(bodyArray);
        receivedMillis = System.currentTimeMillis();
        events = decode().toArray(new LogEvent[0]);
        if (events.length != EVENTS) {
            throw new IllegalStateException(events.length + " events decoded, not " + EVENTS);
        }
    }

    @TearDown
    public void tearDown() {
        body.release();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public List<LogEvent> decode() throws IngestException {
        return NativeDecoder.decodeNdjson(body.duplicate(), EventLimits.DEFAULTS, receivedMillis);
    }

    /**
     * jackson's tokenizer alone over the same body (every token, strings skipped unread): the floor under
     * {@code decode}, which also validates and builds the events.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int tokenize() throws IOException {
        int tokens = 0;
        try (JsonParser p = TOKENIZER.createParser(bodyArray)) {
            while (p.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    private static final JsonFactory TOKENIZER = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();
    private byte[] bodyArray;

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public EventJson.Tails encodeTails() {
        return EventJson.encodeTails(events);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int journalRecords() throws IOException {
        journalBuffer.clear();
        CodedOutputStream out = CodedOutputStream.newInstance(journalBuffer);
        long id = 1_000_000;
        for (LogEvent event : events) {
            recordEncoder.prepare(++id, receivedMillis, event);
            recordEncoder.encode(out);
        }
        out.flush();
        return journalBuffer.position();
    }
}
