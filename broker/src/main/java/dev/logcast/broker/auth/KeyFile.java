package dev.logcast.broker.auth;

import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The HMAC key file ({@code auth.keys}): one key a line, {@code <kid> <base64 secret>}, the secret standard base64
 * (RFC 4648 §4) of at least 32 bytes; blank lines and lines starting with {@code #} are skipped. Several lines allow
 * rotation: tokens of every listed kid verify, and {@code logcast token create} signs with the last one.
 *
 * <p>The file is written only whole: to a temporary file of mode 0600 in the same directory, then renamed over the
 * old one, so a broker reloading on SIGHUP never reads half a line. Error messages name the file and the line,
 * never the line's text (it holds a secret). Stateless.
 */
public final class KeyFile {
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final DateTimeFormatter KID_DATE = DateTimeFormatter.ofPattern("yyyyMMdd");

    private KeyFile() {
    }

    /**
     * Reads the key file.
     *
     * @throws IOException when it cannot be read, or naming the line that is not a valid key
     */
    public static KeyRing read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<HmacKey> keys = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "auth.keys " + file + " line " + (i + 1) + ": ";
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IOException(where + "expected '<kid> <base64 secret>'");
            }
            if (!TokenFormat.isKid(parts[0])) {
                throw new IOException(where + "the kid is not [A-Za-z0-9_-]{1,64}");
            }
            if (!kids.add(parts[0])) {
                throw new IOException(where + "kid \"" + parts[0] + "\" appears twice");
            }
            byte[] secret;
            try {
                secret = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + "the secret of kid \"" + parts[0] + "\" is not base64");
            }
            try {
                keys.add(new HmacKey(parts[0], secret));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + e.getMessage());
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }
        return new KeyRing(keys);
    }

    /**
     * Creates the key file with one new key when there is none (its directory too, mode 0700).
     *
     * @return the new key's kid, or {@code null} when the file already existed
     */
    public static String createIfMissing(Path file, SecureRandom random) throws IOException {
        if (Files.exists(file)) {
            return null;
        }
        HmacKey key = HmacKey.generate(newKid(random), random);
        Path tmp = writeTemp(file, header() + key.keyFileLine() + "\n");
        try {
            Files.move(tmp, file);
        } catch (FileAlreadyExistsException e) {
            return null; // another process made it first: keep theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
        return key.kid();
    }

    /**
     * Adds a new key as the file's last line (creating the file when missing) and returns it.
     *
     * @param kid the kid, or {@code null} for a new one ({@link #newKid})
     * @throws IOException when the file cannot be read or written, is not a valid key file, or has the kid
     */
    public static HmacKey append(Path file, String kid, SecureRandom random) throws IOException {
        String existing = "";
        KeyRing ring = new KeyRing(List.of());
        if (Files.exists(file)) {
            ring = read(file);
            existing = Files.readString(file, StandardCharsets.UTF_8);
            if (!existing.isEmpty() && !existing.endsWith("\n")) {
                existing += "\n";
            }
        } else {
            existing = header();
        }
        String newKid = kid == null ? newKid(random) : kid;
        if (ring.get(newKid) != null) {
            throw new IOException("auth.keys " + file + ": kid \"" + newKid + "\" is already there");
        }
        HmacKey key = HmacKey.generate(newKid, random);
        Path tmp = writeTemp(file, existing + key.keyFileLine() + "\n");
        try {
            copyOwner(file, tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return key;
    }

    /** A new kid: {@code k<yyyyMMdd>-<4 hex>}, dated for the operator, random so two made the same day differ. */
    public static String newKid(SecureRandom random) {
        byte[] suffix = new byte[2];
        random.nextBytes(suffix);
        return "k" + LocalDate.now(ZoneOffset.UTC).format(KID_DATE) + "-" + HexFormat.of().formatHex(suffix);
    }

    /** Whether group or others may read or write the file (a warning at start-up); false where unknown. */
    public static boolean isOpenToOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    private static String header() {
        return "# logcast HMAC keys: '<kid> <base64 secret>' a line; tokens of every kid here verify.\n"
                + "# Add one with 'logcast keygen'; remove a line and restart (or SIGHUP) to revoke its tokens.\n";
    }

    private static Path writeTemp(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } else {
                Files.createDirectories(dir);
            }
        }
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", attrs);
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** Keeps the file's owner and group when root rewrites a file the broker's user owns; best effort. */
    private static void copyOwner(Path from, Path to) {
        try {
            PosixFileAttributes attrs = Files.readAttributes(from, PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
            if (!attrs.owner().equals(Files.getOwner(to))) {
                view.setOwner(attrs.owner());
            }
            if (!attrs.group().equals(view.readAttributes().group())) {
                view.setGroup(attrs.group());
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not POSIX, no such file yet, or not allowed to give files away: the new file stays ours
        }
    }
}
