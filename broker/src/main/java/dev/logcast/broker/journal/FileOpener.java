package dev.logcast.broker.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens the journal's files; tests substitute channels that fail on demand (a full or broken disk). */
@FunctionalInterface
interface FileOpener {
    FileOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
