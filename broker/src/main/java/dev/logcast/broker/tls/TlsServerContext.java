package dev.logcast.broker.tls;

import dev.logcast.broker.config.ConfigException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The server side of the TLS listener: Netty's {@link SslContext} for the PEM pair of {@code tls.cert} and
 * {@code tls.key}. OpenSSL (netty-tcnative) when it is on the class path, the JDK's engine otherwise; TLS 1.3 and
 * 1.2 only; ALPN offers {@code http/1.1}, the one protocol the broker speaks (a client asking only for {@code h2}
 * gets no ALPN answer and may go on with HTTP/1.1 or leave).
 *
 * <p>Immutable and safe to share: one per listener, {@link #newHandler} per connection.
 */
public final class TlsServerContext {
    /** The protocol versions served, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SslContext sslContext;
    private final SslProvider provider;
    private final X509Certificate leaf;

    private TlsServerContext(SslContext sslContext, SslProvider provider, X509Certificate leaf) {
        this.sslContext = sslContext;
        this.provider = provider;
        this.leaf = leaf;
    }

    /**
     * Reads the pair and builds the context with the preferred provider. Reads files: start-up only.
     *
     * @throws ConfigException naming {@code tls.cert} or {@code tls.key} when a file cannot be used
     */
    public static TlsServerContext load(Path certFile, Path keyFile) {
        return build(TlsKeyMaterial.load(certFile, keyFile), preferredProvider(), certFile, keyFile);
    }

    /** OpenSSL when netty-tcnative loaded, else the JDK. */
    public static SslProvider preferredProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    static TlsServerContext build(TlsKeyMaterial material, SslProvider provider, Path certFile, Path keyFile) {
        try {
            SslContext context = SslContextBuilder
                    .forServer(material.privateKey(), material.chain().toArray(new X509Certificate[0]))
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
            return new TlsServerContext(context, provider, material.leaf());
        } catch (SSLException | RuntimeException e) {
            throw new ConfigException("tls.cert, tls.key: \"" + certFile + "\", \"" + keyFile
                    + "\" cannot serve TLS with the " + provider + " provider: " + e.getMessage());
        }
    }

    /**
     * A server-side handler for one new connection; a handshake not done within {@code handshakeTimeoutMs} fails
     * (and closes the connection).
     */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMs) {
        SslHandler handler = sslContext.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMs);
        return handler;
    }

    public SslContext sslContext() {
        return sslContext;
    }

    /** {@code OpenSSL (BoringSSL)} or {@code JDK}: the engine that does the cryptography. */
    public String providerName() {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    /** The certificate presented to clients. */
    public X509Certificate certificate() {
        return leaf;
    }

    /** For the start-up log line: provider, protocols, the certificate's subject and expiry. */
    public String describe() {
        Instant notAfter = leaf.getNotAfter().toInstant();
        String validity = notAfter.isBefore(Instant.now()) ? "EXPIRED on " + notAfter : "valid until " + notAfter;
        return "provider " + providerName() + ", " + String.join(" and ", PROTOCOLS) + ", ALPN "
                + ApplicationProtocolNames.HTTP_1_1 + ", certificate " + leaf.getSubjectX500Principal().getName()
                + " " + validity;
    }
}
