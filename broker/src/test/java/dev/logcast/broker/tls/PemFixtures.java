package dev.logcast.broker.tls;

import dev.logcast.broker.tls.SelfSignedCertificate.KeyKind;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM texts of keys in each form OpenSSL and certificate tools write, for the loader's tests. */
final class PemFixtures {
    private static final BouncyCastleProvider BOUNCY_CASTLE = new BouncyCastleProvider();
    private static final char[] PASSPHRASE = "correct horse".toCharArray();

    /** A private key form, with the PEM header it must produce. */
    enum KeyForm {
        PKCS8("-----BEGIN PRIVATE KEY-----"),
        TRADITIONAL("-----BEGIN %s PRIVATE KEY-----"),
        TRADITIONAL_WITH_EC_PARAMETERS("-----BEGIN EC PARAMETERS-----"),
        ENCRYPTED_PKCS8("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        ENCRYPTED_TRADITIONAL("Proc-Type: 4,ENCRYPTED");

        final String marker;

        KeyForm(String marker) {
            this.marker = marker;
        }
    }

    private PemFixtures() {
    }

    static SelfSignedCertificate pair(KeyKind kind) {
        return SelfSignedCertificate.generate(List.of("localhost", "127.0.0.1"), 30, kind, Instant.now());
    }

    /**
     * {@code key} as PEM text: PKCS#8, or the traditional OpenSSL form ({@code RSA PRIVATE KEY}: PKCS#1;
     * {@code EC PRIVATE KEY}: SEC1), optionally after the {@code EC PARAMETERS} block {@code openssl ecparam
     * -genkey} writes, or encrypted.
     */
    static String keyPem(KeyPair pair, KeyForm form) {
        PrivateKey key = pair.getPrivate();
        PublicKey publicKey = pair.getPublic();
        try {
            return switch (form) {
                case PKCS8 -> pem(new JcaPKCS8Generator(key, null));
                case TRADITIONAL -> key instanceof ECPrivateKey ec ? pem(sec1(ec, publicKey))
                        : pem(new JcaMiscPEMGenerator(key));
                case TRADITIONAL_WITH_EC_PARAMETERS -> {
                    ASN1ObjectIdentifier p256 = SECObjectIdentifiers.secp256r1;
                    yield pem(new PemObject("EC PARAMETERS", p256.getEncoded()))
                            + pem(sec1((ECPrivateKey) key, publicKey));
                }
                case ENCRYPTED_PKCS8 -> pem(new JcaPKCS8Generator(key,
                        new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                                .setProvider(BOUNCY_CASTLE).setPassword(PASSPHRASE).build()));
                case ENCRYPTED_TRADITIONAL -> pem(new JcaMiscPEMGenerator(key,
                        new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BOUNCY_CASTLE).build(PASSPHRASE)));
            };
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An EC key as OpenSSL writes it ({@code openssl ec}, {@code openssl ecparam -genkey}): SEC1 with the named
     * curve and the public key inside. (BouncyCastle's JcaMiscPEMGenerator, given a JDK key,, leaves the curve out.)
     */
    private static PemObject sec1(ECPrivateKey key, PublicKey publicKey) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
        DERBitString point = new DERBitString(
                SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData().getOctets());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), key.getS(), point, curve);
        return new PemObject("EC PRIVATE KEY", sec1.getEncoded());
    }

    static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    /** Writes the pair's certificate and its PKCS#8 key into {@code dir}; returns {cert, key}. */
    static Path[] writePair(Path dir, SelfSignedCertificate pair, String prefix) throws IOException {
        return new Path[] {write(dir, prefix + "-cert.pem", pair.certificatePem()),
            write(dir, prefix + "-key.pem", pair.privateKeyPem())};
    }

    static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
