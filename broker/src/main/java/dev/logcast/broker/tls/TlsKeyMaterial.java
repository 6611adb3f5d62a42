package dev.logcast.broker.tls;

import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.config.ConfigKey;
import dev.logcast.broker.config.ConfigKeys;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The broker's TLS identity, read from the PEM files of {@code tls.cert} (the certificate chain, leaf first) and
 * {@code tls.key} (its private key). BouncyCastle's {@link PEMParser} reads the key in any of the forms OpenSSL and
 * certificate tools write: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1
 * EC ({@code BEGIN EC PRIVATE KEY}, with or without a leading {@code EC PARAMETERS} block); the JDK turns it into a
 * {@link PrivateKey} (no BouncyCastle security provider is installed). Encrypted keys are refused: the broker
 * starts unattended and has no passphrase to ask for.
 *
 * <p>Every problem is a {@link ConfigException} whose message starts with the key it concerns ({@code tls.cert:} or
 * {@code tls.key:}) and names the file. Reads files: call it at start-up, never on an event loop.
 *
 * @param privateKey the key of {@code tls.key}, matching the leaf's public key
 * @param chain      the certificates of {@code tls.cert} in file order, leaf first; never empty
 */
public record TlsKeyMaterial(PrivateKey privateKey, List<X509Certificate> chain) {
    private static final JcaPEMKeyConverter KEY_CONVERTER = new JcaPEMKeyConverter();

    public TlsKeyMaterial {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
    }

    /** The certificate the broker presents: the chain's first. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** Reads both files and checks that the key belongs to the leaf certificate. */
    public static TlsKeyMaterial load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key = readPrivateKey(keyFile);
        checkKeyMatches(key, chain.get(0), certFile, keyFile);
        return new TlsKeyMaterial(key, chain);
    }

    /** Every certificate of a PEM file, in order; other PEM blocks (a key in a combined file) are skipped. */
    public static List<X509Certificate> readCertificates(Path file) {
        ConfigKey<?> key = ConfigKeys.TLS_CERT;
        List<X509CertificateHolder> holders = new ArrayList<>();
        for (Object block : readPem(key, file)) {
            if (block instanceof X509CertificateHolder holder) {
                holders.add(holder);
            }
        }
        if (holders.isEmpty()) {
            throw problem(key, file, "holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> chain = new ArrayList<>(holders.size());
        for (X509CertificateHolder holder : holders) {
            try {
                chain.add(converter.getCertificate(holder));
            } catch (CertificateException | RuntimeException e) {
                throw problem(key, file, "holds a certificate the JDK cannot use: " + detail(e));
            }
        }
        return chain;
    }

    /** The first private key of a PEM file: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted. */
    public static PrivateKey readPrivateKey(Path file) {
        ConfigKey<?> key = ConfigKeys.TLS_KEY;
        boolean sawCertificate = false;
        for (Object block : readPem(key, file)) {
            PrivateKeyInfo info = null;
            if (block instanceof PrivateKeyInfo pkcs8) {
                info = pkcs8;
            } else if (block instanceof PEMKeyPair traditional) {
                info = traditional.getPrivateKeyInfo();
            } else if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
                throw problem(key, file, "is an encrypted private key; the broker cannot ask for a passphrase. "
                        + "Decrypt it into a file only the broker's user can read: "
                        + "(umask 077; openssl pkey -in " + file + " -out " + file + ".plain)");
            }
            // EC PARAMETERS before a SEC1 key, and anything else, are not the key
            sawCertificate |= block instanceof X509CertificateHolder;
            if (info != null) {
                try {
                    return KEY_CONVERTER.getPrivateKey(info);
                } catch (IOException | RuntimeException e) {
                    throw problem(key, file, "holds a private key the JDK cannot use: " + detail(e));
                }
            }
        }
        throw problem(key, file, sawCertificate
                ? "holds a certificate but no private key (tls.key names the key file, tls.cert the certificate)"
                : "holds no PEM private key (expected -----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- "
                        + "or -----BEGIN EC PRIVATE KEY-----)");
    }

    /** Every PEM block of a file, as BouncyCastle's parser makes it (blocks it does not know are skipped). */
    private static List<Object> readPem(ConfigKey<?> key, Path file) {
        if (Files.isDirectory(file)) {
            throw problem(key, file, "cannot be read: it is a directory");
        }
        List<Object> blocks = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
             PEMParser parser = new PEMParser(reader)) {
            Object block;
            while ((block = parser.readObject()) != null) {
                blocks.add(block);
            }
        } catch (NoSuchFileException e) {
            throw problem(key, file, "does not exist");
        } catch (AccessDeniedException e) {
            throw problem(key, file, "cannot be read: permission denied");
        } catch (FileSystemException e) {
            throw problem(key, file, "cannot be read: " + e.getReason());
        } catch (IOException | RuntimeException e) {
            // PEMException for a block whose content does not parse; BouncyCastle's DecoderException for bad base64
            throw problem(key, file, "is not a valid PEM file: " + detail(e));
        }
        return blocks;
    }

    /**
     * A key that does not belong to the certificate fails every handshake with an obscure error, so start-up
     * refuses it: RSA keys are compared by modulus, others by signing a random challenge and verifying it with the
     * certificate's public key.
     */
    static void checkKeyMatches(PrivateKey privateKey, X509Certificate leaf, Path certFile, Path keyFile) {
        PublicKey publicKey = leaf.getPublicKey();
        String keyAlgorithm = privateKey.getAlgorithm();
        if (!keyAlgorithm.equals(publicKey.getAlgorithm())) {
            throw problem(ConfigKeys.TLS_KEY, keyFile, "is an " + keyAlgorithm + " key, but the certificate in "
                    + certFile + " (tls.cert) has an " + publicKey.getAlgorithm() + " key: they are not a pair");
        }
        boolean matches;
        if (privateKey instanceof RSAKey rsaPrivate && publicKey instanceof RSAKey rsaPublic) {
            matches = rsaPrivate.getModulus().equals(rsaPublic.getModulus());
        } else {
            matches = signatureVerifies(privateKey, publicKey, keyFile);
        }
        if (!matches) {
            throw problem(ConfigKeys.TLS_KEY, keyFile, "does not belong to the certificate in " + certFile
                    + " (tls.cert): the certificate's public key is another key's");
        }
    }

    private static boolean signatureVerifies(PrivateKey privateKey, PublicKey publicKey, Path keyFile) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw problem(ConfigKeys.TLS_KEY, keyFile, "is a " + privateKey.getAlgorithm()
                    + " key; the broker serves RSA, EC and EdDSA keys");
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw problem(ConfigKeys.TLS_KEY, keyFile, "cannot be checked against the certificate: " + e.getMessage());
        }
    }

    private static String detail(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static ConfigException problem(ConfigKey<?> key, Path file, String what) {
        return new ConfigException(key.name() + ": \"" + file + "\" " + what);
    }
}
