package dev.logcast.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the whole machine from the first line of {@code /proc/stat} (proc(5)), in {@code USER_HZ} ticks like
 * {@link ServerProcess}: process time (user, nice, system) and interrupt time (irq, softirq). Subtracting the broker's
 * and the load generator's own ticks from the process time leaves what other processes took during a run: anything
 * well above zero means the figures were measured on a busy machine.
 *
 * @param processTicks user + nice + system, all CPUs
 * @param interruptTicks irq + softirq, all CPUs (loopback TCP is largely here, charged to no process)
 */
record HostCpu(long processTicks, long interruptTicks) {

    /** Now, or zeros where /proc/stat cannot be read. */
    static HostCpu sample() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq ...
            long process = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
            long interrupt = Long.parseLong(f[6]) + Long.parseLong(f[7]);
            return new HostCpu(process, interrupt);
        } catch (IOException | RuntimeException e) {
            return new HostCpu(0, 0);
        }
    }
}
