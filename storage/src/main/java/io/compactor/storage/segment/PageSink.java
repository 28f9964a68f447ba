package io.compactor.storage.segment;

import java.io.IOException;

/** Receives the raw (uncompressed) bytes of a finished page; the writer compresses and stores it. */
interface PageSink {
    void writePage(int column, int rows, byte[] raw, int rawLength) throws IOException;
}
