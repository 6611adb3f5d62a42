package dev.logcast.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.tls.SelfSignedCertificate.KeyKind;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TlsServerContextTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void servesOnlyTls13And12AndOffersHttp11(KeyKind kind) throws Exception {
        Path[] files = PemFixtures.writePair(dir, PemFixtures.pair(kind), kind.name());

        TlsServerContext tls = TlsServerContext.load(files[0], files[1]);

        assertThat(tls.sslContext().isServer()).isTrue();
        assertThat(tls.sslContext().applicationProtocolNegotiator().protocols()).containsExactly("http/1.1");
        SSLEngine engine = tls.sslContext().newEngine(ByteBufAllocator.DEFAULT);
        try {
            assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
            assertThat(engine.getUseClientMode()).isFalse();
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    @Test
    void providerIsOpenSslExactlyWhenNettyTcnativeIsAvailable() throws Exception {
        Path[] files = PemFixtures.writePair(dir, PemFixtures.pair(KeyKind.EC), "ec");

        TlsServerContext tls = TlsServerContext.load(files[0], files[1]);

        SslProvider expected = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        assertThat(TlsServerContext.preferredProvider()).isEqualTo(expected);
        assertThat(tls.providerName()).startsWith(expected == SslProvider.JDK ? "JDK" : "OpenSSL (");
        assertThat(tls.describe()).startsWith("provider " + tls.providerName() + ", TLSv1.3 and TLSv1.2, ALPN http/1.1,")
                .contains("CN=localhost").contains("valid until ");
    }

    @Test
    void theCertificatePresentedIsTheChainsFirst() throws Exception {
        SelfSignedCertificate pair = PemFixtures.pair(KeyKind.EC);
        Path cert = PemFixtures.write(dir, "chain.pem", pair.certificatePem()
                + PemFixtures.pair(KeyKind.RSA).certificatePem());
        Path key = PemFixtures.write(dir, "key.pem", pair.privateKeyPem());

        assertThat(TlsServerContext.load(cert, key).certificate()).isEqualTo(pair.certificate());
    }

    @Test
    void loadingProblemsNameTheKey() throws Exception {
        Path[] files = PemFixtures.writePair(dir, PemFixtures.pair(KeyKind.EC), "ec");
        Path garbage = PemFixtures.write(dir, "garbage.pem", "garbage");

        assertThatThrownBy(() -> TlsServerContext.load(files[0], garbage))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.key: ");
        assertThatThrownBy(() -> TlsServerContext.load(garbage, files[1]))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.cert: ");
    }
}
