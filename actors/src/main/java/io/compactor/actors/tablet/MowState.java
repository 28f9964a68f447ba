package io.compactor.actors.tablet;

import io.compactor.api.DeleteBitmapInfo;
import io.compactor.storage.DataDir;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.mow.DeleteBitmapKey;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.DebugPoints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * A merge-on-write tablet's delete bitmap and the rules that keep it right across loads and
 * compactions. Owned by the tablet actor (not thread-safe); what it hands out to readers
 * ({@link #deleted()}) is an immutable snapshot.
 */
final class MowState {
    private final DeleteBitmap bitmap;
    private final DataDir dir;
    private final long tabletId;
    private final Schema schema;
    private final StorageEngine engine;

    private MowState(DeleteBitmap bitmap, StorageEngine engine, DataDir dir, long tabletId, Schema schema) {
        this.bitmap = bitmap;
        this.engine = engine;
        this.dir = dir;
        this.tabletId = tabletId;
        this.schema = schema;
    }

    /** The tablet's bitmap as last committed. */
    static MowState load(StorageEngine engine, DataDir dir, long tabletId, Schema schema) {
        return new MowState(DeleteBitmap.load(engine.meta().loadDeleteBitmaps(tabletId)), engine, dir, tabletId,
                schema);
    }

    DeleteBitmapCalculator calculator() {
        return new DeleteBitmapCalculator(dir, tabletId, schema, engine.primaryKeys());
    }

    /** The rows deleted now, per segment (immutable, shared by readers). */
    Map<SegmentKey, RoaringBitmap> deleted() {
        return bitmap.aggregate();
    }

    /** The rows deleted as of {@code version} (marks of later loads left out). */
    Map<SegmentKey, RoaringBitmap> deletedUpTo(long version) {
        return bitmap.aggregateUpTo(version);
    }

    /**
     * The load's marks as of now (Doris's publish-time update): marks on rowsets that compaction
     * replaced since the write are dropped, and the keys are looked up again in every rowset that
     * appeared since (compaction outputs, loads committed meanwhile). Stamped with {@code version}.
     */
    DeleteBitmap finalDelta(TabletWrite w, List<RowsetMeta> current, long version) throws IOException {
        DebugPoints debug = engine.debugPoints();
        if (debug.hit("DeleteBitmap.skip_marks")) {
            return new DeleteBitmap();
        }
        if (w.delta() == null) {
            // A prepared load recovered after a restart: its marks are computed anew against
            // everything visible now, including the rows its own later segments supersede.
            return calculator().calculate(w.rowset().rowsetId(), w.rowset().segments(), current, deleted(), true)
                    .withVersion(version);
        }
        DeleteBitmap delta = new DeleteBitmap();
        delta.merge(w.delta());
        Set<RowsetId> vanished = new HashSet<>(w.basis());
        vanished.removeAll(ids(current));
        delta.removeRowsets(vanished);
        List<RowsetMeta> added = new ArrayList<>();
        for (RowsetMeta r : current) {
            if (!w.basis().contains(r.rowsetId())) {
                added.add(r);
            }
        }
        if (!added.isEmpty()) {
            delta.merge(calculator().calculate(w.rowset().rowsetId(), w.rowset().segments(), added, deleted(), false));
        }
        return delta.withVersion(version);
    }

    /** A committed load's marks. */
    void apply(DeleteBitmap delta) {
        bitmap.merge(delta);
    }

    /**
     * Merge-on-write cumulative/base compaction: every mark on an input row (including marks of
     * loads that committed while the merge ran) moves to the output row it became; marks on rows
     * the merge dropped vanish with them.
     */
    DeleteBitmap convertMarks(List<RowsetMeta> inputs, RowsetMeta output, CompactionOutput merged) {
        return bitmap.convertedTo(inputs, output.rowsetId(), merged.conversion());
    }

    /**
     * Full compaction as repair (Doris's data recovery): the output inherits no marks, since the
     * merge already kept one row per key; only rowsets loaded while it ran (newer than the output)
     * get their marks recomputed against it. Wrong marks on the inputs go with them.
     */
    DeleteBitmap repairMarks(RowsetMeta output, List<RowsetMeta> current) throws IOException {
        DeleteBitmap out = new DeleteBitmap();
        DeleteBitmapCalculator calculator = calculator();
        for (RowsetMeta r : current) {
            if (r.startVersion() > output.endVersion()) {
                DeleteBitmap marks = calculator.calculate(r.rowsetId(), r.segments(), List.of(output), out.aggregate(),
                        false);
                out.merge(marks.withVersion(r.endVersion()));
            }
        }
        return out;
    }

    /** After a compaction committed: the inputs' marks go, the output's come. */
    void replace(Set<RowsetId> inputs, DeleteBitmap outputMarks) {
        bitmap.removeRowsets(inputs);
        bitmap.merge(outputMarks);
    }

    /** After peer rowsets were installed: the recomputed bitmap of the new chain replaces everything. */
    void replaceAll(DeleteBitmap recomputed) {
        bitmap.removeRowsets(bitmap.rowsets());
        bitmap.merge(recomputed);
    }

    DeleteBitmapInfo info() {
        Map<DeleteBitmapKey, long[]> entries = new TreeMap<>();
        for (var e : bitmap.entries().entrySet()) {
            entries.put(e.getKey(), new long[]{e.getValue().getLongCardinality(), e.getValue().serializedSizeInBytes()});
        }
        return new DeleteBitmapInfo(bitmap.count(), bitmap.cardinality(), bitmap.sizeBytes(), entries);
    }

    static Set<RowsetId> ids(List<RowsetMeta> rowsets) {
        Set<RowsetId> out = new HashSet<>();
        for (RowsetMeta r : rowsets) {
            out.add(r.rowsetId());
        }
        return out;
    }
}
