package dev.logcast.broker.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.server.Broker;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real broker on 127.0.0.1 with an ephemeral port, for end-to-end tests. */
public final class BrokerFixture implements AutoCloseable {
    private final Broker broker;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BrokerFixture(Map<String, String> overrides) throws Exception {
        this.dataDir = Files.createTempDirectory("logcast-it");
        Map<String, String> settings = new HashMap<>();
        settings.put("bind", "127.0.0.1");
        settings.put("port", "0");
        settings.put("data.dir", dataDir.toString());
        settings.put("auth.mode", "none");
        settings.put("storage", "memory");
        settings.put("io.threads", "2");
        settings.putAll(overrides);
        BrokerConfig config = BrokerConfig.defaults().with(settings);
        this.broker = Broker.start(config);
    }

    public static BrokerFixture start() throws Exception {
        return new BrokerFixture(Map.of());
    }

    public static BrokerFixture start(Map<String, String> overrides) throws Exception {
        return new BrokerFixture(overrides);
    }

    public Broker broker() {
        return broker;
    }

    public int port() {
        return broker.port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    /** The TLS listener's port, or -1 when the broker was started without {@code tls.cert}. */
    public int tlsPort() {
        return broker.tlsPort();
    }

    public URI tlsUri(String pathAndQuery) {
        return URI.create("https://127.0.0.1:" + tlsPort() + pathAndQuery);
    }

    public HttpResponse<String> post(String contentType, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/v1/logs")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String contentType, String encoding, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/v1/logs")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(10));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(40)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() throws IOException {
        broker.shutdown();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
    /** The newest event id: the {@code last} of a poll that neither resumes nor waits. */
    public long lastEventId() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/v1/poll");
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/poll: " + r.statusCode() + " " + r.body());
        }
        return Long.parseUnsignedLong((String) jsonObject(r.body()).get("last"));
    }

    /** {@code GET /v1/poll?after=<after>} without waiting, parsed: {@code events}, {@code last}, {@code gap}. */
    public Map<String, Object> pollAfter(long after) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/v1/poll?after=" + Long.toUnsignedString(after));
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/poll: " + r.statusCode() + " " + r.body());
        }
        return jsonObject(r.body());
    }

    /** The events of {@link #pollAfter}, each a parsed event object. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> eventsAfter(long after) throws IOException, InterruptedException {
        return (List<Map<String, Object>>) pollAfter(after).get("events");
    }

    /** {@code POST /v1/logs} with any headers (the JDK client refuses a few, like Expect; use {@link #connect}). */
    public HttpResponse<String> post(Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/v1/logs"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A raw TCP connection to the broker, for requests no well-behaved client would send. */
    public RawConnection connect() throws IOException {
        return new RawConnection(port());
    }

    /**
     * Parses JSON text into maps (insertion order), lists, strings, numbers (Long, BigInteger, Double), booleans,
     * null; refuses duplicate members and anything after the value.
     */
    public static Object parseJson(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            Object value = readJson(p, p.nextToken());
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after JSON value: " + text);
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    /** {@link #parseJson} of a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> jsonObject(String text) {
        Object value = parseJson(text);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        return (Map<String, Object>) value;
    }

    private static final JsonFactory JSON = new JsonFactory();

    private static Object readJson(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new IOException("unexpected end of JSON");
        }
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    if (map.containsKey(name)) {
                        throw new IllegalArgumentException("duplicate member \"" + name + "\"");
                    }
                    map.put(name, readJson(p, p.nextToken()));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(readJson(p, next));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected JSON token " + t);
        }
    }

    /** One HTTP response as read off a raw connection. */
    public record RawResponse(String version, int status, Map<String, List<String>> headers, byte[] body) {
        /** The first value of a header (name in any case), or {@code null}. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public Map<String, Object> json() {
            return jsonObject(bodyText());
        }
    }

    /**
     * A plain socket to the broker: writes whatever bytes a test wants and reads HTTP/1.1 responses (Content-Length,
     * chunked, or to the close). Reads time out after {@link #timeoutMs} (5 s unless set).
     */
    public static final class RawConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private int timeoutMs = 5_000;

        RawConnection(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 65536);
            out = socket.getOutputStream();
        }

        public RawConnection timeoutMs(int ms) {
            timeoutMs = ms;
            return this;
        }

        public Socket socket() {
            return socket;
        }

        public RawConnection write(String ascii) throws IOException {
            return write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        }

        public RawConnection write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** Reads the next response; its body as its headers say. */
        public RawResponse readResponse() throws IOException {
            return read(false);
        }

        /** Reads the next response to a HEAD request: headers only, whatever Content-Length says. */
        public RawResponse readHeadResponse() throws IOException {
            return read(true);
        }

        private RawResponse read(boolean head) throws IOException {
            socket.setSoTimeout(timeoutMs);
            String statusLine = readLine();
            if (statusLine == null) {
                throw new EOFException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            String line;
            while ((line = readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            byte[] body;
            List<String> length = headers.get("content-length");
            List<String> te = headers.get("transfer-encoding");
            if (head || status / 100 == 1 || status == 204 || status == 304) {
                body = new byte[0];
            } else if (te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
                body = readChunked();
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length.get(0)));
            } else {
                body = in.readAllBytes();
            }
            return new RawResponse(parts[0], status, headers, body);
        }

        private byte[] readChunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine();
                if (sizeLine == null) {
                    throw new EOFException("connection closed inside a chunked body");
                }
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    String trailer;
                    while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                        // trailers are not kept
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine();
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }

        /**
         * Waits up to {@code waitMs} for the broker to close the connection, discarding anything it still sends;
         * true when it closed (end of stream or reset), false when it was still open at the end.
         */
        public boolean awaitClose(long waitMs) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                try {
                    if (in.read() == -1) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (SocketException e) {
                    return true; // reset by the peer
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
