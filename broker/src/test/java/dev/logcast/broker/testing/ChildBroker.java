package dev.logcast.broker.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker in a child JVM ({@code logcast serve} from the test class path), for what only a process can show:
 * SIGKILL, SIGTERM, SIGHUP, restarts on the same data dir. Its output is kept for assertions. {@code auth.mode} is
 * {@code none} unless the flags set it.
 */
public final class ChildBroker implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final int port;

    private ChildBroker(Path dataDir, Map<String, String> flags, String maxHeap)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:MaxDirectMemorySize=256m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                "dev.logcast.broker.cli.LogcastCommand", "serve",
                "--port", "0", "--data.dir", dataDir.toString()));
        if (!flags.containsKey("auth.mode")) {
            command.add("--auth.mode");
            command.add("none");
        }
        flags.forEach((k, v) -> {
            command.add("--" + k);
            command.add(v);
        });
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        int found = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while (found < 0 && System.nanoTime() < deadline && (line = reader.readLine()) != null) {
            output.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                found = Integer.parseInt(m.group(1));
            }
        }
        if (found < 0) {
            process.destroyForcibly();
            throw new IOException("child broker did not start:\n" + String.join("\n", output));
        }
        port = found;
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = reader.readLine()) != null) {
                    output.add(l);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "child-broker-output");
        drain.setDaemon(true);
        drain.start();
    }

    public static ChildBroker start(Path dataDir, Map<String, String> flags) throws IOException, InterruptedException {
        return new ChildBroker(dataDir, flags, "256m");
    }

    /** A child with a heap of at most {@code maxHeap} (a {@code -Xmx} value such as {@code 48m}). */
    public static ChildBroker start(Path dataDir, Map<String, String> flags, String maxHeap)
            throws IOException, InterruptedException {
        return new ChildBroker(dataDir, flags, maxHeap);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the child printed so far. */
    public String output() {
        return String.join("\n", output);
    }

    /** SIGHUP: the broker reloads its key file. */
    public void hup() throws InterruptedException, IOException {
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
    }

    /** Waits until the child has printed {@code text}. */
    public void awaitOutput(String text, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!output().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" in:\n" + output());
            }
            Thread.sleep(20);
        }
    }

    /** SIGKILL, and wait for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns the exit code, or -1 if it did not exit in time. */
    public int terminate(long timeoutMs) throws InterruptedException, IOException {
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
