package dev.logcast.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logcast.protocol.token.HmacKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    private static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);

    @TempDir
    Path dir;

    @Test
    void theFirstStartCreatesAFileOfMode0600WithOneKeyOf32Bytes() throws IOException {
        Path file = dir.resolve("state/keys");

        String kid = KeyFile.createIfMissing(file, new SecureRandom());

        assertThat(kid).matches("k\\d{8}-[0-9a-f]{4}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        List<String> keyLines = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList();
        assertThat(keyLines).hasSize(1);
        assertThat(Base64.getDecoder().decode(keyLines.get(0).split(" ")[1])).hasSize(32);
        assertThat(KeyFile.read(file).newest().kid()).isEqualTo(kid);
        assertThat(KeyFile.createIfMissing(file, new SecureRandom())).isNull();
        assertThat(KeyFile.read(file).size()).isEqualTo(1);
    }

    @Test
    void keygenAppendsANewestKeyAndKeepsTheOthers() throws IOException {
        Path file = dir.resolve("keys");
        HmacKey a = KeyFile.append(file, "a", new SecureRandom());
        HmacKey b = KeyFile.append(file, null, new SecureRandom());

        KeyRing ring = KeyFile.read(file);

        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.newest().kid()).isEqualTo(b.kid());
        assertThat(ring.get("a").keyFileLine()).isEqualTo(a.keyFileLine());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThatThrownBy(() -> KeyFile.append(file, "a", new SecureRandom()))
                .hasMessageContaining("kid \"a\" is already there");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("keys");
    }

    @Test
    void commentsAndBlankLinesAreSkippedAndSeveralKeysRotate() throws IOException {
        Path file = Files.writeString(dir.resolve("keys"), "# keys\n\n  k1  " + SECRET + "  \nk2\t" + SECRET + "\n");

        KeyRing ring = KeyFile.read(file);

        assertThat(ring.kids()).isEqualTo("k1, k2");
        assertThat(ring.newest().kid()).isEqualTo("k2");
    }

    @Test
    void aBadLineIsNamedWithoutShowingItsSecret() throws IOException {
        String shortSecret = Base64.getEncoder().encodeToString("sixteen byte key".getBytes());
        String[][] cases = {
            {"k1 " + shortSecret, "line 2: the secret of kid \"k1\" has 16 bytes; at least 32 are needed"},
            {"k1 " + SECRET + "!", "line 2: the secret of kid \"k1\" is not base64"},
            {"k1", "line 2: expected '<kid> <base64 secret>'"},
            {"k1 " + SECRET + " extra", "line 2: expected '<kid> <base64 secret>'"},
            {"k.1 " + SECRET, "line 2: the kid is not [A-Za-z0-9_-]{1,64}"},
            {"k0 " + SECRET, "line 2: kid \"k0\" appears twice"},
        };
        for (String[] c : cases) {
            Path file = Files.writeString(dir.resolve("keys"), "k0 " + SECRET + "\n" + c[0] + "\n");
            assertThatThrownBy(() -> KeyFile.read(file)).as(c[0])
                    .hasMessage("auth.keys " + file + " " + c[1])
                    .message().doesNotContain(SECRET).doesNotContain(shortSecret);
        }
    }

    @Test
    void anEmptyFileIsAnEmptyRing() throws IOException {
        assertThat(KeyFile.read(Files.writeString(dir.resolve("keys"), "# none yet\n")).isEmpty()).isTrue();
    }

    @Test
    void aFileOthersCanReadIsReported() throws IOException {
        Path file = dir.resolve("keys");
        KeyFile.createIfMissing(file, new SecureRandom());
        assertThat(KeyFile.isOpenToOthers(file)).isFalse();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(KeyFile.isOpenToOthers(file)).isTrue();
    }
}
