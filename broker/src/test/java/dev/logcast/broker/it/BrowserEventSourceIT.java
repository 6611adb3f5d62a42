package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.HmacKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser's {@code EventSource}, which cannot set headers: a page served from another origin streams from
 * the broker with the token in {@code access_token}, through CORS. Headless Chromium (Debian's package, installed by
 * {@code .ci/run}) loads the page and the test reads the DOM it leaves.
 */
class BrowserEventSourceIT {
    private static final String PAGE = """
            <html><body><pre id="out">waiting</pre><script>
            const [want, url] = decodeURIComponent(location.hash.substring(1)).split(' ');
            const es = new EventSource(url);
            const got = [];
            es.onmessage = (m) => {
              got.push(JSON.parse(m.data).msg);
              document.getElementById('out').textContent = 'got:' + got.join('|');
              // headless virtual time waits while a request is open: close once everything expected is in
              if (got.length >= Number(want)) { es.close(); }
            };
            es.onerror = () => { document.getElementById('out').textContent += ' error'; es.close(); };
            </script></body></html>
            """;
    private static final Pattern OUT = Pattern.compile("<pre id=\"out\">([^<]*)</pre>");

    private HttpServer pages;
    private String pageOrigin;

    @BeforeEach
    void servePage() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        pageOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
    }

    @AfterEach
    void stopPage() {
        pages.stop(0);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void eventSourceWithATokenInAccessTokenReceivesTheEventsAcrossOrigins(@TempDir Path profile) throws Exception {
        HmacKeys keys = HmacKeys.create("k1");
        try (BrokerFixture broker = BrokerFixture.start(keys.settings("cors.origins", pageOrigin))) {
            String writer = keys.token("write", null, null, null);
            for (String msg : List.of("first", "second", "third")) {
                var r = broker.post(java.util.Map.of("Content-Type", "application/json",
                        "Authorization", "Bearer " + writer), ("{\"msg\":\"" + msg + "\"}").getBytes());
                assertThat(r.statusCode()).isEqualTo(202);
            }
            String reader = keys.token("read", null, null, null);
            String stream = "http://127.0.0.1:" + broker.port() + "/v1/stream?tail=3&access_token=" + reader;
            assertThat(browserOutput(profile, 3, stream)).isEqualTo("got:first|second|third");

            String forged = reader.substring(0, reader.length() - 4) + "AAAA";
            String refused = "http://127.0.0.1:" + broker.port() + "/v1/stream?tail=3&access_token=" + forged;
            assertThat(browserOutput(profile, 3, refused)).isEqualTo("waiting error");
        }
    }

    /** Loads the page in headless Chromium pointed at {@code streamUrl}, expecting {@code want} events. */
    private String browserOutput(Path profile, int want, String streamUrl) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "no /usr/bin/chromium (.ci/run installs Debian's)");
        Path dir = Files.createTempDirectory(profile, "chromium");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir,
                "--virtual-time-budget=5000", "--dump-dom",
                pageOrigin + "/#" + URLEncoder.encode(want + " " + streamUrl, StandardCharsets.UTF_8)
                        .replace("+", "%20")));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        Matcher m = OUT.matcher(dom);
        assertThat(m.find()).as("the page's output in %s", dom).isTrue();
        return m.group(1).trim();
    }
}
