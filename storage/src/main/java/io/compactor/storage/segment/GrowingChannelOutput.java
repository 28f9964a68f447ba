package io.compactor.storage.segment;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The write buffer of a segment file: starts at a few KiB and doubles up to {@link #MAX_BYTES}
 * before it writes to the channel, so a small segment (a few rows of a small load) costs a few
 * KiB of buffer instead of a fixed large one, and a big one is still written in large writes.
 */
final class GrowingChannelOutput extends OutputStream {
    static final int MAX_BYTES = 256 * 1024;

    private final FileChannel channel;
    private byte[] buf = new byte[8192];
    private int len;

    GrowingChannelOutput(FileChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        if (len + n > buf.length && buf.length < MAX_BYTES) {
            buf = Arrays.copyOf(buf, Math.min(MAX_BYTES, Math.max(len + n, buf.length * 2)));
        }
        if (len + n > buf.length) {
            flush();
            if (n >= buf.length) {
                writeFully(b, off, n);
                return;
            }
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    @Override
    public void flush() throws IOException {
        if (len > 0) {
            writeFully(buf, 0, len);
            len = 0;
        }
    }

    private void writeFully(byte[] b, int off, int n) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, n);
        while (bb.hasRemaining()) {
            channel.write(bb);
        }
    }

    /** Does not close the channel: the segment writer owns it. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
