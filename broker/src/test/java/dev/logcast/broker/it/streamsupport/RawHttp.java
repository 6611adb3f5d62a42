package dev.logcast.broker.it.streamsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} hides: sending a request in pieces, a receive
 * buffer that is never read, the exact first bytes of a body, and telling "no answer at all" from an answer.
 */
public final class RawHttp implements AutoCloseable {
    /** A response read off the socket; {@code body} per Content-Length (or to EOF when it has none). */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private InputStream in;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /** Connects to the broker; {@code receiveBufferBytes > 0} sets SO_RCVBUF before connecting. */
    public static RawHttp connect(int port, int receiveBufferBytes) throws IOException {
        Socket s = new Socket();
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(15_000);
        return new RawHttp(s);
    }

    public static RawHttp connect(int port) throws IOException {
        return connect(port, 0);
    }

    public Socket socket() {
        return socket;
    }

    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    public void send(String ascii) throws IOException {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The head of a POST of {@code contentLength} body bytes to {@code /v1/logs}. */
    public static String postHead(String contentType, int contentLength) {
        return "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /** The socket's input, buffered; the same stream on every call. */
    public InputStream input() throws IOException {
        if (in == null) {
            in = new BufferedInputStream(socket.getInputStream(), 65536);
        }
        return in;
    }

    /** Reads the status line and headers. */
    public Response readHead() throws IOException {
        InputStream input = input();
        String statusLine = readLine(input);
        if (statusLine == null) {
            throw new IOException("connection closed before any response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine(input)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Response(status, headers, null);
    }

    /** Reads a whole response with a Content-Length body. */
    public Response readResponse() throws IOException {
        Response head = readHead();
        String length = head.header("content-length");
        byte[] body = length == null ? input().readAllBytes() : input().readNBytes(Integer.parseInt(length));
        return new Response(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8));
    }

    /** Reads everything until the peer closes (EOF or reset), with the socket's read timeout. */
    public byte[] readToClose() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = input().read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a reset after the data is still "closed by the broker"
        }
        return out.toByteArray();
    }

    /**
     * Reads everything until the peer closes, as a client that takes about {@code bytesPerSecond}: reads of at most
     * 4 KiB, each followed by the pause that rate asks for.
     */
    public byte[] readToClose(int bytesPerSecond) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long started = System.nanoTime();
        try {
            int n;
            while ((n = input().read(buf)) != -1) {
                out.write(buf, 0, n);
                long dueNanos = out.size() * 1_000_000_000L / bytesPerSecond;
                long aheadMillis = (dueNanos - (System.nanoTime() - started)) / 1_000_000;
                if (aheadMillis > 0) {
                    Thread.sleep(aheadMillis);
                }
            }
        } catch (java.net.SocketException reset) {
            // a reset after the data is still "closed by the broker"
        }
        return out.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return buf.size() > 0 ? buf.toString(StandardCharsets.ISO_8859_1) : null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
