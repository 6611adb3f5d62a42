package dev.logcast.protocol.token;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One signing key of the key file: its {@code kid} and an HMAC-SHA256 secret of at least
 * {@value #MIN_SECRET_BYTES} bytes. Signs and checks token signatures; the comparison is constant-time
 * ({@link MessageDigest#isEqual}). Thread-safe: each thread gets its own initialised {@link Mac}, so signing
 * costs no {@code Mac.getInstance} and no lock. {@link #toString()} never shows the secret.
 */
public final class HmacKey {
    /** The least secret length: HMAC-SHA256's output size (RFC 2104 §3, RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;
    /** The secret length {@link #generate} makes. */
    public static final int GENERATED_SECRET_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final String kid;
    private final SecretKeySpec secret;
    private final ThreadLocal<Mac> macs;

    /**
     * @throws IllegalArgumentException when the kid is not {@code [A-Za-z0-9_-]{1,64}} or the secret is shorter
     *                                  than {@value #MIN_SECRET_BYTES} bytes
     */
    public HmacKey(String kid, byte[] secret) {
        if (!TokenFormat.isKid(kid)) {
            throw new IllegalArgumentException("kid \"" + kid + "\" is not [A-Za-z0-9_-]{1,64}");
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret of kid \"" + kid + "\" has " + secret.length
                    + " bytes; at least " + MIN_SECRET_BYTES + " are needed");
        }
        this.kid = kid;
        this.secret = new SecretKeySpec(secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac();
    }

    /** A new key with {@value #GENERATED_SECRET_BYTES} random bytes from {@code random}. */
    public static HmacKey generate(String kid, SecureRandom random) {
        byte[] bytes = new byte[GENERATED_SECRET_BYTES];
        random.nextBytes(bytes);
        try {
            return new HmacKey(kid, bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    public String kid() {
        return kid;
    }

    /** The key file's line for this key: {@code <kid> <base64 secret>}, no line end. */
    public String keyFileLine() {
        return kid + " " + Base64.getEncoder().encodeToString(secret.getEncoded());
    }

    /** HMAC-SHA256 of {@code data[0, length)}. */
    public byte[] sign(byte[] data, int length) {
        Mac mac = macs.get();
        mac.update(data, 0, length);
        return mac.doFinal();
    }

    /** Whether {@code signature} is the HMAC of {@code data[0, length)}, compared in constant time. */
    public boolean verify(byte[] data, int length, byte[] signature) {
        return MessageDigest.isEqual(sign(data, length), signature);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(secret);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "HmacKey[" + kid + "]";
    }
}
