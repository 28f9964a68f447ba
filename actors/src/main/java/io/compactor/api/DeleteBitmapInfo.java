package io.compactor.api;

import io.compactor.storage.mow.DeleteBitmapKey;
import java.util.Map;

/**
 * A merge-on-write tablet's delete bitmap for {@code /api/delete_bitmap/count_local}.
 *
 * @param entries every entry with its cardinality and size, for the verbose form
 */
public record DeleteBitmapInfo(long count, long cardinality, long sizeBytes, Map<DeleteBitmapKey, long[]> entries) {
    /** A tablet without a delete bitmap. */
    public static final DeleteBitmapInfo NONE = new DeleteBitmapInfo(0, 0, 0, Map.of());
}
