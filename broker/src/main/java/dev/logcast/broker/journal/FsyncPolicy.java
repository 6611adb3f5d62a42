package dev.logcast.broker.journal;

/**
 * When the {@link JournalWriter} forces the journal to the disk, and so what a batch reported durable survives.
 */
public enum FsyncPolicy {
    /** fsync before a batch is reported durable: it survives a process crash and a power loss. */
    ALWAYS,
    /**
     * A batch is reported durable once written to the OS (it survives a process crash); fsync every
     * {@code journal.fsync.interval}, so a power loss loses at most that much.
     */
    INTERVAL,
    /** Written to the OS only (survives a process crash); fsync only at close. A power loss may lose anything. */
    NEVER
}
