package io.compactor.storage.mow;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Decoded primary-key indexes of segments, bounded by bytes
 * ({@code primary_key_cache_capacity_bytes}). Segment files are immutable, so an entry never goes
 * stale; it is just evicted. Thread-safe.
 */
public final class PrimaryKeyIndexCache {
    private final Cache<Path, PrimaryKeyIndex> cache;

    public PrimaryKeyIndexCache(long capacityBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(Math.max(0, capacityBytes))
                .weigher((Path p, PrimaryKeyIndex i) -> (int) Math.min(Integer.MAX_VALUE, i.memoryBytes()))
                .build();
    }

    public PrimaryKeyIndex get(Path segmentFile, Schema schema) throws IOException {
        try {
            return cache.get(segmentFile, p -> {
                try {
                    return PrimaryKeyIndex.build(p, schema);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    public void invalidate(Path segmentFile) {
        cache.invalidate(segmentFile);
    }

    public long estimatedEntries() {
        return cache.estimatedSize();
    }
}
