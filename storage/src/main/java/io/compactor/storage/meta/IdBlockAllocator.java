package io.compactor.storage.meta;

import java.util.function.LongConsumer;

/**
 * Hands out ids of one sequence from blocks reserved durably in advance. Before the first id of
 * a block is returned, the block's end (the high-water mark) is persisted with a synced write;
 * after a restart, allocation resumes at the persisted mark. Ids are therefore strictly
 * increasing and never reused, even after a crash; the cost is that ids left in a block at
 * shutdown are skipped. Thread-safe.
 */
final class IdBlockAllocator {
    private final String name;
    private final int blockSize;
    private final LongConsumer persistHighWaterMark;
    private long next;
    private long limit;

    /**
     * @param name                 sequence name, for messages
     * @param firstId              the smallest id ever returned
     * @param storedHighWaterMark  the persisted mark, or 0 if the sequence is new
     * @param blockSize            ids reserved per synced write
     * @param persistHighWaterMark durably stores a new mark; throws if it cannot
     */
    IdBlockAllocator(String name, long firstId, long storedHighWaterMark, int blockSize,
                     LongConsumer persistHighWaterMark) {
        if (firstId < 1) {
            throw new IllegalArgumentException("sequence " + name + ": first id must be >= 1, got " + firstId);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("sequence " + name + ": block size must be >= 1, got " + blockSize);
        }
        this.name = name;
        this.blockSize = blockSize;
        this.persistHighWaterMark = persistHighWaterMark;
        this.next = Math.max(firstId, storedHighWaterMark);
        this.limit = next;
    }

    synchronized long nextId() {
        if (next >= limit) {
            if (next > Long.MAX_VALUE - blockSize) {
                throw new IllegalStateException("sequence " + name + " is exhausted at " + next);
            }
            long newLimit = next + blockSize;
            persistHighWaterMark.accept(newLimit);
            limit = newLimit;
        }
        return next++;
    }
}
