package io.compactor.storage.mow;

import io.compactor.storage.RowsetId;
import java.util.Comparator;

/** Key of one delete-bitmap entry: rows of (rowset, segment) superseded by the load of {@code version}. */
public record DeleteBitmapKey(RowsetId rowsetId, int segmentId, long version) implements Comparable<DeleteBitmapKey> {
    private static final Comparator<DeleteBitmapKey> ORDER = Comparator.comparing(DeleteBitmapKey::rowsetId)
            .thenComparingInt(DeleteBitmapKey::segmentId).thenComparingLong(DeleteBitmapKey::version);

    @Override
    public int compareTo(DeleteBitmapKey o) {
        return ORDER.compare(this, o);
    }
}
