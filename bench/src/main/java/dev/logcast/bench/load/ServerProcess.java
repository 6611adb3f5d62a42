package dev.logcast.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of the broker under test, read from Linux's {@code /proc}: the process and its direct
 * children, so nginx's master and its workers count together while a JVM counts once.
 *
 * <p>CPU is {@code utime + stime} from {@code /proc/PID/stat} in clock ticks ({@code USER_HZ}, 100 on Linux); memory
 * is {@code VmRSS} from {@code /proc/PID/status}. Thread-safe: it keeps no state besides the pid.
 */
public final class ServerProcess {

    /** Linux's {@code USER_HZ}, the unit of {@code utime}/{@code stime}; fixed at 100 on every mainstream build. */
    static final double TICKS_PER_SECOND = 100.0;

    private final long pid;

    public ServerProcess(long pid) {
        this.pid = pid;
    }

    /** Whether the process is still there. */
    public boolean alive() {
        return Files.exists(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** The process and its children. */
    List<Long> tree() {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> pids.add(c.pid())));
        return pids;
    }

    /** CPU ticks used so far by the process and its children. */
    long cpuTicks() {
        long ticks = 0;
        for (long p : tree()) {
            ticks += cpuTicksOf(Long.toString(p));
        }
        return ticks;
    }

    /** Resident set of the process and its children, KiB. */
    long rssKiB() {
        long kib = 0;
        for (long p : tree()) {
            kib += rssKiBOf(p);
        }
        return kib;
    }

    /** CPU ticks of this JVM, the load generator itself. */
    static long selfCpuTicks() {
        return cpuTicksOf("self");
    }

    private static long cpuTicksOf(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3,
            // utime field 14, stime field 15 (proc(5))
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long rssKiBOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
