package dev.logcast.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logcast.broker.tls.SelfSignedCertificate.KeyKind;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SelfSignedCertificateTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void certificateIsASelfSignedServerLeafForEveryHost(KeyKind kind) throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.generate(
                List.of("LogCast.Example", "*.dev.example", "127.0.0.1", "::1"), 30, kind, NOW);
        X509Certificate cert = pair.certificate();

        cert.verify(cert.getPublicKey());
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo(kind.name());
        assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=LogCast.Example");
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(
                List.of(2, "logcast.example"), List.of(2, "*.dev.example"), List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        assertThat(cert.getSerialNumber().signum()).isPositive();
    }

    @Test
    void serialNumbersDiffer() {
        SelfSignedCertificate a = SelfSignedCertificate.generate(List.of("a"), 1, KeyKind.EC, NOW);
        SelfSignedCertificate b = SelfSignedCertificate.generate(List.of("a"), 1, KeyKind.EC, NOW);

        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "under_score", "-leading.dash", "trailing-.dash", "a..b", "x*.example",
        "http://host", "host:7443", "300.1.1.1"})
    void hostThatIsNeitherADnsNameNorAnIpIsRefused(String host) {
        assertThatThrownBy(() -> SelfSignedCertificate.generate(List.of("ok", host), 1, KeyKind.EC, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--host \"" + host + "\" is neither a DNS name nor an IP address");
    }

    @Test
    void noHostAndDaysOutOfRangeAreRefused() {
        assertThatThrownBy(() -> SelfSignedCertificate.generate(List.of(), 1, KeyKind.EC, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("at least one --host is needed");
        assertThatThrownBy(() -> SelfSignedCertificate.generate(List.of("a"), 0, KeyKind.EC, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--days 0 is not between 1 and 3650");
        assertThatThrownBy(() -> SelfSignedCertificate.generate(List.of("a"), 3651, KeyKind.EC, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--days 3651 is not between 1 and 3650");
    }

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void writtenFilesHaveTheirModesAndLoadBack(KeyKind kind) throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.generate(List.of("localhost"), 1, kind, NOW);
        Path cert = dir.resolve("sub/dir/cert.pem");
        Path key = dir.resolve("sub/dir/key.pem");

        pair.write(cert, key, false);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cert))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        TlsKeyMaterial loaded = TlsKeyMaterial.load(cert, key);
        assertThat(loaded.chain()).containsExactly(pair.certificate());
        assertThat(loaded.privateKey().getEncoded()).isEqualTo(pair.keyPair().getPrivate().getEncoded());
        assertThat(TlsServerContext.load(cert, key).certificate()).isEqualTo(pair.certificate());
        try (var files = Files.list(cert.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .containsExactlyInAnyOrder("cert.pem", "key.pem");
        }
    }

    @Test
    void existingFilesAreKeptUnlessOverwriteIsAsked() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "old cert");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificate pair = SelfSignedCertificate.generate(List.of("localhost"), 1, KeyKind.EC, NOW);

        assertThatThrownBy(() -> pair.write(cert, key, false)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(cert)).isEqualTo("old cert");
        assertThat(key).doesNotExist();

        Files.writeString(key, "old key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
        pair.write(cert, key, true);

        assertThat(Files.readString(cert)).isEqualTo(pair.certificatePem());
        assertThat(Files.readString(key)).isEqualTo(pair.privateKeyPem());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }
}
