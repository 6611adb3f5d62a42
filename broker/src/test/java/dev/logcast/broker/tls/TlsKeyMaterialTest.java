package dev.logcast.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.tls.PemFixtures.KeyForm;
import dev.logcast.broker.tls.SelfSignedCertificate.KeyKind;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TlsKeyMaterialTest {
    private static final SelfSignedCertificate EC = PemFixtures.pair(KeyKind.EC);
    private static final SelfSignedCertificate RSA = PemFixtures.pair(KeyKind.RSA);

    @TempDir
    Path dir;

    static Stream<Arguments> readableKeys() {
        return Stream.of(
                Arguments.of(KeyKind.RSA, KeyForm.PKCS8, "-----BEGIN PRIVATE KEY-----"),
                Arguments.of(KeyKind.EC, KeyForm.PKCS8, "-----BEGIN PRIVATE KEY-----"),
                Arguments.of(KeyKind.RSA, KeyForm.TRADITIONAL, "-----BEGIN RSA PRIVATE KEY-----"),
                Arguments.of(KeyKind.EC, KeyForm.TRADITIONAL, "-----BEGIN EC PRIVATE KEY-----"),
                Arguments.of(KeyKind.EC, KeyForm.TRADITIONAL_WITH_EC_PARAMETERS, "-----BEGIN EC PRIVATE KEY-----"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readableKeys")
    void eachUnencryptedKeyFormLoadsWithItsCertificate(KeyKind kind, KeyForm form, String header) throws Exception {
        SelfSignedCertificate pair = kind == KeyKind.EC ? EC : RSA;
        String pem = PemFixtures.keyPem(pair.keyPair(), form);
        assertThat(pem).contains(header).contains(form == KeyForm.TRADITIONAL_WITH_EC_PARAMETERS
                ? "-----BEGIN EC PARAMETERS-----" : header);
        Path key = PemFixtures.write(dir, "key.pem", pem);
        Path cert = PemFixtures.write(dir, "cert.pem", pair.certificatePem());

        TlsKeyMaterial material = TlsKeyMaterial.load(cert, key);

        PrivateKey loaded = material.privateKey();
        assertThat(loaded.getAlgorithm()).isEqualTo(kind.name());
        assertSameKey(loaded, pair.keyPair().getPrivate());
        assertThat(material.chain()).containsExactly(pair.certificate());
    }

    /** The same secret (SEC1 files carry the public key too, so the PKCS#8 encodings may differ). */
    private static void assertSameKey(PrivateKey actual, PrivateKey expected) {
        if (expected instanceof ECPrivateKey ec) {
            assertThat(((ECPrivateKey) actual).getS()).isEqualTo(ec.getS());
            assertThat(((ECPrivateKey) actual).getParams().getCurve()).isEqualTo(ec.getParams().getCurve());
        } else {
            RSAPrivateKey rsa = (RSAPrivateKey) expected;
            assertThat(((RSAPrivateKey) actual).getModulus()).isEqualTo(rsa.getModulus());
            assertThat(((RSAPrivateKey) actual).getPrivateExponent()).isEqualTo(rsa.getPrivateExponent());
        }
    }

    @ParameterizedTest
    @MethodSource("encryptedForms")
    void encryptedKeysAreRefusedWithAClearMessage(KeyForm form) throws Exception {
        String pem = PemFixtures.keyPem(RSA.keyPair(), form);
        assertThat(pem).contains(form.marker);
        Path key = PemFixtures.write(dir, "key.pem", pem);

        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tls.key: \"" + key + "\" is an encrypted private key")
                .hasMessageContaining("openssl pkey");
    }

    static Stream<KeyForm> encryptedForms() {
        return Stream.of(KeyForm.ENCRYPTED_PKCS8, KeyForm.ENCRYPTED_TRADITIONAL);
    }

    @Test
    void chainKeepsFileOrderLeafFirst() throws Exception {
        Path cert = PemFixtures.write(dir, "chain.pem", EC.certificatePem() + RSA.certificatePem());

        assertThat(TlsKeyMaterial.readCertificates(cert)).containsExactly(EC.certificate(), RSA.certificate());
    }

    @Test
    void combinedFileWithCertificateAndKeyServesAsBoth() throws Exception {
        Path both = PemFixtures.write(dir, "both.pem", EC.privateKeyPem() + EC.certificatePem());

        TlsKeyMaterial material = TlsKeyMaterial.load(both, both);

        assertThat(material.leaf()).isEqualTo(EC.certificate());
        assertThat(material.privateKey().getEncoded()).isEqualTo(EC.keyPair().getPrivate().getEncoded());
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        for (KeyKind kind : KeyKind.values()) {
            SelfSignedCertificate mine = kind == KeyKind.EC ? EC : RSA;
            SelfSignedCertificate other = PemFixtures.pair(kind);
            Path cert = PemFixtures.write(dir, kind + "-cert.pem", mine.certificatePem());
            Path key = PemFixtures.write(dir, kind + "-key.pem", other.privateKeyPem());

            assertThatThrownBy(() -> TlsKeyMaterial.load(cert, key))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("tls.key: \"" + key + "\" does not belong to the certificate in " + cert
                            + " (tls.cert): the certificate's public key is another key's");
        }
    }

    @Test
    void keyOfAnotherAlgorithmIsRefused() throws Exception {
        Path cert = PemFixtures.write(dir, "cert.pem", EC.certificatePem());
        Path key = PemFixtures.write(dir, "key.pem", RSA.privateKeyPem());

        assertThatThrownBy(() -> TlsKeyMaterial.load(cert, key))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tls.key: \"" + key + "\" is an RSA key, but the certificate in " + cert
                        + " (tls.cert) has an EC key");
    }

    @Test
    void missingFilesAreNamedWithTheirKey() {
        Path cert = dir.resolve("absent-cert.pem");
        Path key = dir.resolve("absent-key.pem");

        assertThatThrownBy(() -> TlsKeyMaterial.load(cert, key))
                .isInstanceOf(ConfigException.class).hasMessage("tls.cert: \"" + cert + "\" does not exist");
        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class).hasMessage("tls.key: \"" + key + "\" does not exist");
    }

    @Test
    void directoryIsNotReadableAsAFile() {
        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tls.key: \"" + dir + "\" cannot be read: it is a directory");
    }

    @Test
    void garbageKeyFileSaysWhatWasExpected() throws Exception {
        Path key = PemFixtures.write(dir, "key.pem", "this is not a key\n");

        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tls.key: \"" + key + "\" holds no PEM private key (expected -----BEGIN PRIVATE KEY-----, "
                        + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    }

    @Test
    void binaryGarbageIsRefusedNotCrashedOn() throws Exception {
        byte[] noise = new byte[4096];
        new java.util.Random(42).nextBytes(noise);
        Path key = java.nio.file.Files.write(dir.resolve("key.der"), noise);
        Path cert = java.nio.file.Files.write(dir.resolve("cert.der"), noise);

        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.key: \"" + key + "\" ");
        assertThatThrownBy(() -> TlsKeyMaterial.readCertificates(cert))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.cert: \"" + cert + "\" ");
    }

    @Test
    void corruptBase64InsideAPemBlockIsNotValidPem() throws Exception {
        Path key = PemFixtures.write(dir, "key.pem",
                "-----BEGIN PRIVATE KEY-----\n!!!! not base64 ****\n-----END PRIVATE KEY-----\n");
        String truncated = EC.certificatePem().substring(0, EC.certificatePem().length() / 2);
        Path cert = PemFixtures.write(dir, "cert.pem", truncated);

        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tls.key: \"" + key + "\" is not a valid PEM file: ");
        assertThatThrownBy(() -> TlsKeyMaterial.readCertificates(cert))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tls.cert: \"" + cert + "\" is not a valid PEM file: ");
    }

    @Test
    void wellFormedPemOfTheWrongStructureIsRefused() throws Exception {
        String notAKey = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00})
                + "\n-----END PRIVATE KEY-----\n";
        Path key = PemFixtures.write(dir, "key.pem", notAKey);

        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.key: \"" + key + "\" is not a valid PEM");
    }

    @Test
    void keyOfAnAlgorithmTheJdkDoesNotKnowIsNamedAsSuch() throws Exception {
        PrivateKeyInfo unknown = new PrivateKeyInfo(new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.2.3.4")),
                new DEROctetString(new byte[] {1, 2, 3}));
        Path key = PemFixtures.write(dir, "key.pem", PemFixtures.pem(new PemObject("PRIVATE KEY", unknown.getEncoded())));

        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(key))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tls.key: \"" + key + "\" holds a private key the JDK cannot use: ");
    }

    @Test
    void certificateGivenAsTheKeyAndKeyGivenAsTheCertificateAreNamed() throws Exception {
        Path[] files = PemFixtures.writePair(dir, EC, "ec");

        assertThatThrownBy(() -> TlsKeyMaterial.load(files[1], files[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tls.cert: \"" + files[1] + "\" holds no PEM certificate "
                        + "(expected -----BEGIN CERTIFICATE-----)");
        assertThatThrownBy(() -> TlsKeyMaterial.readPrivateKey(files[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tls.key: \"" + files[0] + "\" holds a certificate but no private key "
                        + "(tls.key names the key file, tls.cert the certificate)");
    }
}
