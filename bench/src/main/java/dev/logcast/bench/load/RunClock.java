package dev.logcast.bench.load;

/**
 * The run's instants, all {@link System#nanoTime()} values.
 *
 * @param timeBase  origin of the send times carried in payloads; before any send
 * @param start     publishing starts
 * @param warmupEnd the measured window opens; latency is recorded for events sent from here on
 * @param runEnd    publishing stops unless {@code --max-events} stopped it earlier
 */
record RunClock(long timeBase, long start, long warmupEnd, long runEnd) {
}
