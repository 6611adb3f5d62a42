package dev.logcast.broker.it.streamsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.zip.GZIPOutputStream;

/**
 * Posts events to {@code POST /v1/logs} in each body format the contract names and records what the broker
 * accepted: native answers give the ids ({@code first..last} are the batch's events in order), OTLP answers give
 * none, so OTLP events are recorded by their (unique) {@code msg}. Thread-safe: several publisher threads may share
 * one instance and its ledger.
 */
public final class Publisher {
    public enum Format { JSON, NDJSON, GZIP_JSON, GZIP_NDJSON }

    private final int port;
    private final HttpClient http;
    private final ConcurrentSkipListMap<Long, LogSpec> byId = new ConcurrentSkipListMap<>();
    private final Map<String, LogSpec> otlpByMsg = new ConcurrentHashMap<>();

    public Publisher(int port) {
        this.port = port;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Every natively posted event by the id the broker gave it. */
    public ConcurrentSkipListMap<Long, LogSpec> byId() {
        return byId;
    }

    /** Every event posted as OTLP/JSON, by msg. */
    public Map<String, LogSpec> otlpByMsg() {
        return otlpByMsg;
    }

    /** Posts one batch natively; fails the test unless the answer is a 202 for all of it. */
    public Accepted post(Format format, List<LogSpec> events) {
        byte[] body;
        String contentType;
        switch (format) {
            case JSON, GZIP_JSON -> {
                List<Object> array = new ArrayList<>();
                for (LogSpec e : events) {
                    array.add(e.toJson());
                }
                body = Json.write(array).getBytes(StandardCharsets.UTF_8);
                contentType = "application/json";
            }
            case NDJSON, GZIP_NDJSON -> {
                StringBuilder sb = new StringBuilder();
                for (LogSpec e : events) {
                    sb.append(Json.write(e.toJson())).append('\n');
                }
                body = sb.toString().getBytes(StandardCharsets.UTF_8);
                contentType = "application/x-ndjson";
            }
            default -> throw new IllegalArgumentException(format.name());
        }
        boolean gzip = format == Format.GZIP_JSON || format == Format.GZIP_NDJSON;
        HttpResponse<String> response = send(contentType, gzip ? gzip(body) : body, gzip);
        if (response.statusCode() != 202) {
            throw new AssertionError("POST " + format + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        Accepted accepted = Accepted.parse(response.body());
        if (accepted.accepted() != events.size()) {
            throw new AssertionError("posted " + events.size() + " events, 202 says " + response.body());
        }
        for (int i = 0; i < events.size(); i++) {
            if (byId.putIfAbsent(accepted.id(i), events.get(i)) != null) {
                throw new AssertionError("id " + accepted.id(i) + " given twice");
            }
        }
        return accepted;
    }

    /** Posts a JSON array. */
    public Accepted post(List<LogSpec> events) {
        return post(Format.JSON, events);
    }

    /** Posts one event. */
    public long post(LogSpec event) {
        return post(Format.JSON, List.of(event)).first();
    }

    /**
     * Posts OTLP/JSON: one resource whose {@code service.name} is each event's source, one record per event with
     * {@code severityNumber} from the level, {@code body} the msg, {@code logcast.branch} and {@code logcast.type}
     * attributes. Fails the test unless the answer is 200 with no rejected records.
     */
    public void postOtlpJson(List<LogSpec> events) {
        Map<String, List<Object>> bySource = new LinkedHashMap<>();
        for (LogSpec e : events) {
            bySource.computeIfAbsent(e.source(), s -> new ArrayList<>()).add(otlpRecord(e));
        }
        List<Object> resourceLogs = new ArrayList<>();
        bySource.forEach((source, records) -> resourceLogs.add(Map.of(
                "resource", Map.of("attributes", List.of(kv("service.name", source))),
                "scopeLogs", List.of(Map.of("scope", Map.of("name", "it"), "logRecords", records)))));
        byte[] body = Json.write(Map.of("resourceLogs", resourceLogs)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = send("application/json", body, false);
        if (response.statusCode() != 200) {
            throw new AssertionError("OTLP/JSON POST answered " + response.statusCode() + ": " + response.body());
        }
        Map<String, Object> answer = Json.object(response.body());
        Object partial = answer.get("partialSuccess");
        if (partial instanceof Map<?, ?> p && p.get("rejectedLogRecords") != null
                && !"0".equals(String.valueOf(p.get("rejectedLogRecords")))) {
            throw new AssertionError("OTLP records rejected: " + response.body());
        }
        for (LogSpec e : events) {
            if (otlpByMsg.putIfAbsent(e.msg(), e) != null) {
                throw new AssertionError("OTLP msg not unique: " + e.msg());
            }
        }
    }

    private static Map<String, Object> otlpRecord(LogSpec e) {
        int severity = switch (e.wireLevel()) {
            case "trace" -> 1;
            case "debug" -> 5;
            case "info" -> 9;
            case "warn" -> 13;
            case "error" -> 17;
            case "fatal" -> 21;
            default -> throw new IllegalArgumentException(e.level());
        };
        List<Object> attributes = new ArrayList<>();
        attributes.add(kv("logcast.branch", e.branch()));
        attributes.add(kv("logcast.type", e.type()));
        e.attrs().forEach((k, v) -> attributes.add(kv(k, (String) v)));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("timeUnixNano", Long.toString(System.currentTimeMillis() * 1_000_000L));
        record.put("severityNumber", severity);
        record.put("body", Map.of("stringValue", e.msg()));
        record.put("attributes", attributes);
        return record;
    }

    private static Map<String, Object> kv(String key, String value) {
        return Map.of("key", key, "value", Map.of("stringValue", value));
    }

    /** One POST; a 503/429 (load shedding, nothing stored) is retried after a short pause. */
    private HttpResponse<String> send(String contentType, byte[] body, boolean gzip) {
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/logs"))
                    .header("Content-Type", contentType).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (gzip) {
                b.header("Content-Encoding", "gzip");
            }
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if ((r.statusCode() == 503 || r.statusCode() == 429) && attempt < 50) {
                    Thread.sleep(50);
                    continue;
                }
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
