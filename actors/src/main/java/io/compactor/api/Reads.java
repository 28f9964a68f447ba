package io.compactor.api;

import io.compactor.storage.mow.MowChecker;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletSnapshot;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Reads of the merged view and checks of tablets. Reads are bounded by {@code max_concurrent_reads}
 * (a busy read fails at once with SERVICE_UNAVAILABLE); an unknown table or tablet fails with
 * NOT_FOUND.
 */
public interface Reads {
    /** Rows in the table's merged view (UNIQUE_KEYS: one per key). */
    CompletionStage<Long> count(String db, String table);

    /** Up to {@code limit} rows of the merged view in key order. */
    CompletionStage<RowBatch> scan(String db, String table, long limit);

    /** The row whose key columns equal {@code key} (column name to text), or an empty batch; INVALID_ARGUMENT for a bad key. */
    CompletionStage<RowBatch> get(String db, String table, Map<String, String> key);

    /** This node's replica's current meta. */
    CompletionStage<TabletMeta> tabletMeta(long tabletId);

    /** A read snapshot of this node's replica; the caller must close it. */
    CompletionStage<TabletSnapshot> snapshot(long tabletId);

    /** Visible rows, keys visible more than once, and whether the stored delete bitmap equals a recomputation. */
    CompletionStage<MowChecker.Result> checkTablet(long tabletId);

    /** A merge-on-write tablet's delete-bitmap figures (zeros for other tablets). */
    CompletionStage<DeleteBitmapInfo> deleteBitmap(long tabletId);

    /** Doris's {@code check_tablet_segment_lost}; with {@code repair} damaged tablets are marked bad. */
    CompletionStage<SegmentLossReport> checkSegmentLost(boolean repair);

    /** The directory of this node's replica of the tablet (its segment files), if it holds one. */
    Optional<Path> tabletDir(long tabletId);
}
