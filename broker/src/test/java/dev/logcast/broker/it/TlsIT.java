package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logcast.broker.cli.CertCommand;
import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.it.streamsupport.Metrics;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.tls.TlsKeyMaterial;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The TLS listener end to end: a broker started with a pair that {@code logcast cert} wrote serves HTTPS on an
 * ephemeral {@code tls.port} beside the plain port; clients that trust the certificate post and stream over it,
 * clients that do not, and clients that do not speak TLS at all, are turned away without harm or noise.
 */
class TlsIT {
    private static final String REJECTED = "logcast_rejected_total{reason=\"tls_handshake\"}";
    private static final long REQUEST_TIMEOUT_MS = 1_500;

    @TempDir
    static Path dir;

    private static Path certFile;
    private static Path keyFile;
    private static SSLContext trustingContext;
    private static HttpClient trusting;
    private static final LogCapture LOG = new LogCapture();
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        certFile = dir.resolve("cert.pem");
        keyFile = dir.resolve("key.pem");
        writePair(certFile, keyFile, "--host", "localhost", "--host", "127.0.0.1");
        trustingContext = trusting(TlsKeyMaterial.readCertificates(certFile).get(0));
        trusting = HttpClient.newBuilder().sslContext(trustingContext).connectTimeout(Duration.ofSeconds(5)).build();
        LOG.install();
        broker = BrokerFixture.start(tlsConfig(Map.of("http.request.timeout", REQUEST_TIMEOUT_MS + "ms")));
    }

    @AfterAll
    static void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
        LOG.uninstall();
    }

    @BeforeEach
    void clearLog() {
        LOG.records.clear();
    }

    @Test
    @Timeout(20)
    void certCommandPairHasItsModesAndTheBrokerServesItBesideThePlainPort() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certFile))).isEqualTo("rw-r--r--");
        assertThat(broker.tlsPort()).isPositive().isNotEqualTo(broker.port());

        HttpResponse<String> overTls = trusting.send(HttpRequest.newBuilder(broker.tlsUri("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> plain = broker.get("/healthz");

        assertThat(overTls.statusCode()).isEqualTo(200);
        assertThat(overTls.sslSession()).get().extracting(s -> s.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(overTls.version()).as("h2 offered, http/1.1 chosen by ALPN").isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(plain.statusCode()).isEqualTo(200);
    }

    @Test
    @Timeout(20)
    void startUpLogNamesTheTlsListenerAndItsProvider() throws Exception {
        try (LogCapture own = new LogCapture();
             BrokerFixture other = startCapturing(own)) {
            assertThat(own.messages()).anySatisfy(m -> assertThat(m)
                    .startsWith("logcast listening on https://127.0.0.1:" + other.tlsPort() + " (provider ")
                    .containsAnyOf("provider JDK,", "provider OpenSSL (")
                    .contains("TLSv1.3 and TLSv1.2", "CN=localhost"));
        }
    }

    @Test
    @Timeout(20)
    void postOverTlsGets202AndTheEventArrivesOnATlsStream() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (TlsStream stream = TlsStream.open(broker, "/v1/stream?q=" + marker, false)) {
            HttpResponse<String> posted = trusting.send(HttpRequest.newBuilder(broker.tlsUri("/v1/logs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"msg\":\"" + marker + " over tls\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            assertThat(BrokerFixture.jsonObject(posted.body())).containsEntry("accepted", 1L);
            assertThat(stream.nextData()).contains("\"msg\":\"" + marker + " over tls\"");
        }
    }

    @Test
    @Timeout(20)
    void eventsPostedOnThePlainPortReachTlsStreamsGzipOrNot() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (TlsStream plain = TlsStream.open(broker, "/v1/stream?q=" + marker, false);
             TlsStream gzip = TlsStream.open(broker, "/v1/stream?q=" + marker, true)) {
            assertThat(gzip.contentEncoding).isEqualTo("gzip");
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> posted = broker.post("application/json", "{\"msg\":\"" + marker + " " + i + "\"}");
                assertThat(posted.statusCode()).isEqualTo(202);
            }
            for (TlsStream stream : List.of(plain, gzip)) {
                for (int i = 0; i < 3; i++) {
                    assertThat(stream.nextData()).contains("\"msg\":\"" + marker + " " + i + "\"");
                }
            }
        }
    }

    @Test
    @Timeout(20)
    void clientsThatDoNotTrustTheCertificateFailTheHandshake() throws Exception {
        double before = rejected();
        Path otherCert = dir.resolve("other-cert.pem");
        writePair(otherCert, dir.resolve("other-key.pem"), "--host", "127.0.0.1");
        HttpClient systemTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpClient trustsAnother = HttpClient.newBuilder()
                .sslContext(trusting(TlsKeyMaterial.readCertificates(otherCert).get(0)))
                .connectTimeout(Duration.ofSeconds(5)).build();

        for (HttpClient client : List.of(systemTrust, trustsAnother)) {
            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(broker.tlsUri("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(SSLHandshakeException.class);
        }

        awaitRejectedAtLeast(before + 2);
        assertThat(trusting.send(HttpRequest.newBuilder(broker.tlsUri("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        LOG.assertNoNoise();
    }

    @Test
    @Timeout(20)
    void plainHttpSentToTheTlsPortIsDroppedAndHurtsNothing() throws Exception {
        double before = rejected();
        byte[] answer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", broker.tlsPort()), 5_000);
            socket.getOutputStream().write(("POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                    + "\r\nContent-Length: 15\r\n\r\n{\"msg\":\"plain\"}").getBytes(StandardCharsets.US_ASCII));
            answer = readToClose(socket, 5_000);
        }

        assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/");
        Metrics.await(broker, REJECTED, before + 1, 5_000);
        assertThat(broker.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(trusting.send(HttpRequest.newBuilder(broker.tlsUri("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        LOG.assertNoNoise();
    }

    @Test
    @Timeout(20)
    void handshakeThatNeverCompletesIsCutOffAtTheRequestTimeout() throws Exception {
        double before = rejected();
        byte[][] openings = {new byte[0], {0x16, 0x03, 0x01}}; // silence; the first bytes of a ClientHello
        for (byte[] opening : openings) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", broker.tlsPort()), 5_000);
                long start = System.nanoTime();
                socket.getOutputStream().write(opening);

                readToClose(socket, REQUEST_TIMEOUT_MS + 5_000);

                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(tookMs).as("closed after ms").isBetween(REQUEST_TIMEOUT_MS - 200, REQUEST_TIMEOUT_MS + 3_000);
            }
        }
        Metrics.await(broker, REJECTED, before + 2, 5_000);
        LOG.assertNoNoise();
    }

    @Test
    @Timeout(20)
    void tls12ClientIsServedAndAlpnAnswersHttp11() throws Exception {
        try (SSLSocket socket = (SSLSocket) trustingContext.getSocketFactory()
                .createSocket("127.0.0.1", broker.tlsPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.2"});
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5_000);
            socket.startHandshake();

            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    @Timeout(20)
    void unusablePairStopsStartUpNamingTheKey() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
        Path otherCert = dir.resolve("mismatch-cert.pem");
        writePair(otherCert, dir.resolve("mismatch-key.pem"), "--host", "localhost");

        assertThatThrownBy(() -> BrokerFixture.start(Map.of("tls.cert", certFile.toString(),
                "tls.key", garbage.toString(), "tls.port", "0")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.key: \"" + garbage + "\" holds no");
        assertThatThrownBy(() -> BrokerFixture.start(Map.of("tls.cert", otherCert.toString(),
                "tls.key", keyFile.toString(), "tls.port", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not belong to the certificate");
    }

    @Test
    @Timeout(20)
    void tlsPortInUseStopsStartUpNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> BrokerFixture.start(tlsConfig(Map.of("tls.port", Integer.toString(port)))))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("tls.port: cannot listen on 127.0.0.1:" + port + ": ");
        }
    }

    @Test
    @Timeout(20)
    void httpPortInUseOrABindThatIsNotAnAddressStopsStartUpNamingTheKeys() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> BrokerFixture.start(Map.of("port", Integer.toString(port))))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("bind, port: cannot listen on 127.0.0.1:" + port + ": ");
        }
        assertThatThrownBy(() -> BrokerFixture.start(Map.of("bind", "nonexistent.invalid")))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("bind, port: cannot listen on nonexistent.invalid:");
    }

    /**
     * The outbound cap holds over TLS too: a subscriber that never reads is closed once the bytes it was sent but
     * has not taken (in the TLS handler and the channel) pass {@code stream.max.pending}. 20,000 events of random
     * text, about 11 MB, so that the broker's cap, not the kernel's socket buffers, has to stop it.
     */
    @Test
    @Timeout(90)
    void slowTlsSubscriberIsClosedAtItsCap() throws Exception {
        try (BrokerFixture own = BrokerFixture.start(tlsConfig(Map.of("stream.max.pending", "64KiB")));
             SSLSocket slow = (SSLSocket) trustingContext.getSocketFactory().createSocket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", own.tlsPort()), 5_000);
            slow.startHandshake();
            slow.getOutputStream().write("GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Metrics.await(own, "logcast_subscribers", 1, 5_000);

            java.util.Random random = new java.util.Random(1);
            for (int batch = 0; batch < 400; batch++) {
                StringBuilder ndjson = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    StringBuilder text = new StringBuilder(400);
                    random.ints(400, 'a', 'z' + 1).forEach(c -> text.append((char) c));
                    ndjson.append("{\"msg\":\"").append(text).append("\"}\n");
                }
                assertThat(own.post("application/x-ndjson", ndjson.toString()).statusCode()).isEqualTo(202);
            }

            Metrics.await(own, "logcast_overflow_closes_total", 1, 10_000);
            Metrics.await(own, "logcast_subscribers", 0, 5_000);
        }
    }

    @Test
    @Timeout(30)
    void shutdownEndsTlsStreamsAndClosesBothListeners() throws Exception {
        BrokerFixture own = BrokerFixture.start(tlsConfig(Map.of("shutdown.grace", "2s")));
        int plainPort = own.port();
        int tlsPort = own.tlsPort();
        try (TlsStream stream = TlsStream.open(own, "/v1/stream", false)) {
            own.close();

            String last = stream.lines.readLine();
            while (last != null && last.isEmpty()) {
                last = stream.lines.readLine();
            }
            assertThat(last).as("final comment").startsWith(":");
            String rest;
            while ((rest = stream.lines.readLine()) != null) {
                assertThat(rest).as("after the final comment").isEmpty();
            }
        }
        for (int port : new int[] {plainPort, tlsPort}) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Map<String, String> tlsConfig(Map<String, String> more) {
        Map<String, String> config = new java.util.HashMap<>(Map.of("tls.cert", certFile.toString(),
                "tls.key", keyFile.toString(), "tls.port", "0"));
        config.putAll(more);
        return config;
    }

    private static BrokerFixture startCapturing(LogCapture capture) throws Exception {
        capture.install();
        return BrokerFixture.start(tlsConfig(Map.of()));
    }

    /** {@code logcast cert --self-signed} into the two files. */
    private static void writePair(Path cert, Path key, String... hosts) {
        String[] args = new String[hosts.length + 5];
        args[0] = "--self-signed";
        System.arraycopy(hosts, 0, args, 1, hosts.length);
        args[hosts.length + 1] = "--out-cert";
        args[hosts.length + 2] = cert.toString();
        args[hosts.length + 3] = "--out-key";
        args[hosts.length + 4] = key.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new CertCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        assertThat(command.execute(args)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("tls.cert=" + cert, "tls.key=" + key);
    }

    private static SSLContext trusting(X509Certificate certificate) throws Exception {
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        trustStore.setCertificateEntry("logcast", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static void awaitRejectedAtLeast(double expected) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (rejected() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(REJECTED + " is " + rejected() + ", not at least " + expected);
            }
            Thread.sleep(20);
        }
    }

    private static double rejected() throws Exception {
        double value = Metrics.value(broker, REJECTED);
        return Double.isNaN(value) ? 0 : value;
    }

    /** Everything the peer sends until it closes; fails if it is still open after {@code timeoutMs}. */
    private static byte[] readToClose(Socket socket, long timeoutMs) throws IOException {
        socket.setSoTimeout((int) timeoutMs);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the broker kept the connection open for " + timeoutMs + " ms", e);
        } catch (SocketException e) {
            // reset by the broker: closed too
        }
        return bytes.toByteArray();
    }

    /** An SSE stream over TLS through the JDK client, read line by line (gzip-decoded when asked for). */
    private static final class TlsStream implements AutoCloseable {
        final BufferedReader lines;
        final String contentEncoding;
        private final InputStream body;

        private TlsStream(HttpResponse<InputStream> response, boolean gzip) throws IOException {
            this.body = response.body();
            this.contentEncoding = response.headers().firstValue("content-encoding").orElse(null);
            InputStream in = gzip ? new GZIPInputStream(body, 1) : body;
            this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1);
        }

        /** Opens the stream and waits for its preamble ({@code retry:} and a comment): it is subscribed then. */
        static TlsStream open(BrokerFixture broker, String pathAndQuery, boolean gzip) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(broker.tlsUri(pathAndQuery))
                    .header("Accept", "text/event-stream");
            if (gzip) {
                request.header("Accept-Encoding", "gzip");
            }
            HttpResponse<InputStream> response = trusting.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).get().asString().startsWith("text/event-stream");
            TlsStream stream = new TlsStream(response, gzip);
            assertThat(stream.lines.readLine()).startsWith("retry: ");
            assertThat(stream.lines.readLine()).startsWith(":");
            return stream;
        }

        /** The next {@code data:} line's value. */
        String nextData() throws IOException {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    return line.substring("data: ".length());
                }
            }
            throw new IOException("the stream ended");
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** The broker's java.util.logging records while installed. */
    private static final class LogCapture extends Handler implements AutoCloseable {
        final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();

        void install() {
            setLevel(Level.ALL);
            Logger.getLogger("").addHandler(this);
        }

        void uninstall() {
            Logger.getLogger("").removeHandler(this);
        }

        List<String> messages() {
            return records.stream().map(LogRecord::getMessage).toList();
        }

        /** Bad clients leave no warning and no stack trace. */
        void assertNoNoise() {
            assertThat(records).noneMatch(r -> r.getThrown() != null || r.getLevel().intValue() >= Level.WARNING.intValue());
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            uninstall();
        }
    }
}
