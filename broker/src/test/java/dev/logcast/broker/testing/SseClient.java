package dev.logcast.broker.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * A Server-Sent-Events client over a plain socket, parsing the stream as the WHATWG HTML §9.2 algorithm does
 * (CR, LF and CRLF line ends; {@code data} lines joined by LF; comments kept apart so tests can see heartbeats).
 */
public final class SseClient implements AutoCloseable {
    /** One dispatched message, or a comment line ({@code event == ":"}). */
    public record Event(String id, String event, String data) {
        public boolean isComment() {
            return ":".equals(event);
        }
    }

    private final Socket socket;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final int status;
    private final Thread reader;
    private volatile boolean closed;
    private volatile long firstByteNanos;
    private final long openedNanos = System.nanoTime();
    private volatile String retry;

    private SseClient(int port, String pathAndQuery, Map<String, String> requestHeaders) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(0);
        StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\n");
        requestHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        status = Integer.parseInt(statusLine.split(" ")[1]);
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        InputStream framed = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new ChunkedBody(in) : in;
        InputStream body = "gzip".equals(headers.get("content-encoding")) ? new GZIPInputStream(framed, 1) : framed;
        reader = new Thread(() -> parse(body), "sse-client");
        reader.setDaemon(true);
        if (status == 200) {
            reader.start();
        }
    }

    public static SseClient open(int port, String pathAndQuery) throws IOException {
        return new SseClient(port, pathAndQuery, Map.of());
    }

    public static SseClient open(int port, String pathAndQuery, Map<String, String> headers) throws IOException {
        return new SseClient(port, pathAndQuery, headers);
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String retry() {
        return retry;
    }

    /** Nanoseconds from opening to the first body byte, or 0. */
    public long firstByteDelayNanos() {
        return firstByteNanos == 0 ? 0 : firstByteNanos - openedNanos;
    }

    /** The next message or comment within the timeout, or {@code null}. */
    public Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    /** The next message (comments skipped) within the timeout, or {@code null}. */
    public Event nextMessage(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Event e = events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                return null;
            }
            if (!e.isComment()) {
                return e;
            }
        }
    }

    /** Collects {@code n} messages (comments skipped), failing after the timeout. */
    public List<Event> messages(int n, long timeoutMs) throws InterruptedException {
        List<Event> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (out.size() < n) {
            long left = deadline - System.nanoTime();
            Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                throw new AssertionError("got " + out.size() + " of " + n + " messages: " + out);
            }
            if (!e.isComment()) {
                out.add(e);
            }
        }
        return out;
    }

    public boolean isClosedByServer() {
        return closed;
    }

    private void parse(InputStream in) {
        try {
            String id = null;
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = readLine(in)) != null) {
                if (firstByteNanos == 0) {
                    firstByteNanos = System.nanoTime();
                }
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, event == null ? "message" : event, data.toString()));
                    }
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    events.add(new Event(null, ":", line.substring(1)));
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> retry = value;
                    default -> { }
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            closed = true;
        }
    }

    /** Reads a line ending in LF, CRLF or CR (CR handled as the SSE spec says), UTF-8. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return buf.toString(StandardCharsets.UTF_8);
            }
            if (b == '\r') {
                // a lone CR ends the line too; a following LF belongs to it
                in.mark(1);
                if (in.read() != '\n') {
                    in.reset();
                }
                return buf.toString(StandardCharsets.UTF_8);
            }
            buf.write(b);
        }
        return buf.size() > 0 ? buf.toString(StandardCharsets.UTF_8) : null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
