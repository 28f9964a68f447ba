package io.compactor.storage.wal;

import io.compactor.storage.util.FileSync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends records to one WAL file ({@link Wal} describes the format). {@link #append} returns only
 * once the record is fsynced. Appends from several threads share fsyncs: a thread whose record an
 * fsync in progress did not cover waits for it and syncs once for every record written meanwhile
 * (group fsync), so the fsync count grows with time, not with the number of loads.
 *
 * <p>Thread-safe.
 */
public final class WalWriter implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final Object writeLock = new Object();
    private final Object syncLock = new Object();
    private long written;
    private volatile long synced;
    private boolean closed;

    private WalWriter(Path file, FileChannel channel, long written) {
        this.file = file;
        this.channel = channel;
        this.written = written;
        this.synced = written;
    }

    /**
     * Creates {@code dir/header.fileName()} with the magic and the header record, fsynced together
     * with the directory entry.
     */
    public static WalWriter create(Path dir, Wal.Header header) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(header.fileName());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            byte[] h = Wal.frame(header.encode());
            ByteBuffer b = ByteBuffer.allocate(Wal.MAGIC.length + h.length);
            b.put(Wal.MAGIC).put(h).flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
            FileSync.syncDirectory(dir);
            return new WalWriter(file, ch, Wal.MAGIC.length + h.length);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Bytes in the file (header included). */
    public long size() {
        synchronized (writeLock) {
            return written;
        }
    }

    /**
     * Appends one load's encoded rows and returns once they are durable.
     *
     * @return the record's size on disk
     */
    public long appendRows(byte[] encodedRows) throws IOException {
        byte[] record = Wal.frame(Wal.rowsPayload(encodedRows));
        long end;
        synchronized (writeLock) {
            if (closed) {
                throw new IOException("WAL " + file + " is closed");
            }
            ByteBuffer b = ByteBuffer.wrap(record);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            written += record.length;
            end = written;
        }
        if (synced >= end) {
            return record.length;
        }
        synchronized (syncLock) {
            if (synced < end) {
                long target;
                synchronized (writeLock) {
                    target = written;
                }
                channel.force(false);
                synced = target;
            }
        }
        return record.length;
    }

    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            closed = true;
        }
        channel.close();
    }

    /** Closes and deletes the file (its internal load committed). */
    public void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }
}
