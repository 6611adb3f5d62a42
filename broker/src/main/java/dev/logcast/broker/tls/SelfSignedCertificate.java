package dev.logcast.broker.tls;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate and its key for development: what {@code logcast cert --self-signed} writes. The
 * certificate is an end-entity (not a CA) for TLS servers, with a Subject Alternative Name for every host (a DNS
 * name, or an IP address for an IP literal; clients match the SAN, not the common name), valid from an hour ago
 * (clock skew) for the given number of days. Keys: EC P-256 with ECDSA-SHA256, or RSA 2048 with RSA-SHA256, made
 * and signed by the JDK's providers; BouncyCastle only builds and encodes.
 *
 * @param certificate the certificate, self-signed
 * @param keyPair     its key pair
 */
public record SelfSignedCertificate(X509Certificate certificate, KeyPair keyPair) {
    /** The key algorithm of a new pair. */
    public enum KeyKind {
        EC("EC P-256", "SHA256withECDSA"),
        RSA("RSA 2048", "SHA256withRSA");

        private final String description;
        private final String signatureAlgorithm;

        KeyKind(String description, String signatureAlgorithm) {
            this.description = description;
            this.signatureAlgorithm = signatureAlgorithm;
        }

        /** {@code EC P-256} or {@code RSA 2048}. */
        public String description() {
            return description;
        }

        KeyPair generate(SecureRandom random) throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(name());
            if (this == EC) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            } else {
                generator.initialize(2048, random);
            }
            return generator.generateKeyPair();
        }
    }

    /** The most days a development certificate may last. */
    public static final int MAX_DAYS = 3650;

    // RFC 1123 labels; a leading "*." wildcard for a whole subdomain
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(^|\\.)[0-9]+$");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    /**
     * Makes a new pair.
     *
     * @param hosts DNS names or IP literals, at least one; the first is also the subject's common name
     * @param days  validity in days, 1 to {@link #MAX_DAYS}
     * @throws IllegalArgumentException for no host, a host that is neither a DNS name nor an IP literal, or days
     *                                  out of range; the message says which
     */
    public static SelfSignedCertificate generate(List<String> hosts, int days, KeyKind kind, Instant now) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("at least one --host is needed");
        }
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("--days " + days + " is not between 1 and " + MAX_DAYS);
        }
        GeneralName[] names = new GeneralName[hosts.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = subjectAltName(hosts.get(i));
        }
        SecureRandom random = new SecureRandom();
        try {
            KeyPair keyPair = kind.generate(random);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, hosts.get(0))
                    .addRDN(BCStyle.O, "logcast development")
                    .build();
            // positive, 159 bits: unique per certificate, and within RFC 5280's 20 octets
            BigInteger serial = new BigInteger(159, random).setBit(0);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(days))),
                    subject, keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int usage = KeyUsage.digitalSignature | (kind == KeyKind.RSA ? KeyUsage.keyEncipherment : 0);
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(keyPair.getPublic()));
            X509CertificateHolder holder = builder.build(
                    new JcaContentSignerBuilder(kind.signatureAlgorithm).build(keyPair.getPrivate()));
            return new SelfSignedCertificate(new JcaX509CertificateConverter().getCertificate(holder), keyPair);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a certificate with the JDK's providers: " + e.getMessage(), e);
        }
    }

    /** An IP literal as an IP address entry, anything else as a DNS name (checked, lower-cased). */
    static GeneralName subjectAltName(String host) {
        String h = host.trim();
        if (NetUtil.isValidIpV4Address(h) || NetUtil.isValidIpV6Address(h)) {
            return new GeneralName(GeneralName.iPAddress, h);
        }
        // an all-numeric last label is a mistyped IP address, never a host name (RFC 3696 §2)
        if (h.length() > 253 || !DNS_NAME.matcher(h).matches() || NUMERIC_LAST_LABEL.matcher(h).find()) {
            throw new IllegalArgumentException("--host \"" + host + "\" is neither a DNS name nor an IP address");
        }
        return new GeneralName(GeneralName.dNSName, h.toLowerCase(Locale.ROOT));
    }

    /** The certificate as PEM text. */
    public String certificatePem() {
        return pem(certificate);
    }

    /** The private key as unencrypted PKCS#8 PEM text ({@code BEGIN PRIVATE KEY}). */
    public String privateKeyPem() {
        try {
            return pem(new JcaPKCS8Generator(keyPair.getPrivate(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the certificate (mode 0644) and the key (mode 0600 from its creation, never readable by others in
     * between). Each file is written beside its target and moved into place, so a reader never sees half a file.
     *
     * @param overwrite replace existing files; without it an existing file is a {@link FileAlreadyExistsException}
     */
    public void write(Path certFile, Path keyFile, boolean overwrite) throws IOException {
        if (!overwrite) {
            for (Path file : List.of(certFile, keyFile)) {
                if (Files.exists(file)) {
                    throw new FileAlreadyExistsException(file.toString(), null, "exists (--force replaces it)");
                }
            }
        }
        writeAtomically(keyFile, privateKeyPem(), null, overwrite);
        writeAtomically(certFile, certificatePem(), WORLD_READABLE, overwrite);
    }

    private static void writeAtomically(Path target, String text, Set<PosixFilePermission> finalMode,
                                        boolean overwrite) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        Path temp = posix ? Files.createTempFile(dir, ".logcast-", ".tmp", OWNER_ONLY)
                : Files.createTempFile(dir, ".logcast-", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            if (posix && finalMode != null) {
                Files.setPosixFilePermissions(temp, finalMode);
            }
            move(temp, target, overwrite);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void move(Path temp, Path target, boolean overwrite) throws IOException {
        if (!overwrite) {
            // no ATOMIC_MOVE here: on POSIX it would silently replace a file created since the check
            Files.move(temp, target);
            return;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
