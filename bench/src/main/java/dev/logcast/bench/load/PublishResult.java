package dev.logcast.bench.load;

/**
 * What the publishers did, taken once every answer was in or the drain time ran out.
 *
 * @param acked          the acknowledged (publisher, sequence) set, handed over to the subscribers' loop
 * @param sentEvents     events written
 * @param ackedInWindow  acknowledged events sent inside the measured window
 * @param publishEnd     when publishing stopped (nanoTime)
 * @param rejected       events refused with 429/503
 * @param errors         events refused with any other status
 * @param unanswered     events whose POST got no answer (connection closed or drain time ran out)
 * @param reconnects     publisher connections reopened during the run
 * @param maxBehindEvents in rate mode, the most events the schedule was ever ahead of what could be sent
 * @param firstError     status and body start of the first refusal, or the first I/O error; null if none
 * @param ackLatency     time from sending a POST to its acknowledgement, for POSTs sent inside the window (ns)
 */
record PublishResult(
        AckedEvents acked,
        long sentEvents,
        long ackedInWindow,
        long publishEnd,
        long rejected,
        long errors,
        long unanswered,
        long reconnects,
        long maxBehindEvents,
        String firstError,
        org.HdrHistogram.Histogram ackLatency) {
}
