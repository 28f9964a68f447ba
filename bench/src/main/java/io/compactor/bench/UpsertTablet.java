package io.compactor.bench;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.CompactionPolicy;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.policy.CumulativeCompactionPolicy;
import io.compactor.scheduler.policy.PickResult;
import io.compactor.scheduler.policy.PolicyContext;
import io.compactor.scheduler.policy.Refusal;
import io.compactor.storage.DataDir;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.compaction.CompactionSettings;
import io.compactor.storage.compaction.RowsetCompactor;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.meta.TabletHeader;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletSnapshot;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One UNIQUE_KEYS tablet of {@link UpsertBench}, driven through the storage engine the way a
 * tablet actor drives it, on the caller's thread: a load writes its rowset with the node's
 * {@code write_buffer_size} memtable, a merge-on-write tablet then computes the load's delete-bitmap
 * marks against every visible rowset, and one synced meta write commits the rowset (and the marks),
 * as the node's commit does. Compactions are run on request with the node's compaction settings;
 * a merge-on-write tablet converts its marks to the output through the row-id map. The
 * merge-on-read tablet keeps no bitmap: its reads merge rowsets by key.
 */
final class UpsertTablet {
    private final String name;
    private final StorageEngine engine;
    private final DataDir dir;
    private final long tabletId;
    private final Schema schema;
    private final boolean mergeOnWrite;
    private final DeleteBitmap bitmap;
    private TabletMeta meta;
    private long loadNanos;
    private long compactionNanos;
    private int compactions;

    UpsertTablet(String name, StorageEngine engine, long tabletId, Schema schema, boolean mergeOnWrite) {
        this.name = name;
        this.engine = engine;
        this.dir = engine.dataDirs().get(0);
        this.tabletId = tabletId;
        this.schema = schema;
        this.mergeOnWrite = mergeOnWrite;
        this.bitmap = mergeOnWrite ? new DeleteBitmap() : null;
        RowsetMeta empty = new RowsetMeta(engine.nextRowsetId(), tabletId, new Version(0, 1), List.of(),
                SegmentsOverlap.NONOVERLAPPING, engine.clock().millis(), 0, 0);
        this.meta = TabletMeta.create(tabletId, tabletId, 0, dir.path()).addRowset(empty);
        engine.meta().write(new MetaBatch().putTablet(header(meta.cumulativePoint())).putRowset(empty));
    }

    String name() {
        return name;
    }

    boolean mergeOnWrite() {
        return mergeOnWrite;
    }

    TabletMeta meta() {
        return meta;
    }

    long loadNanos() {
        return loadNanos;
    }

    long compactionNanos() {
        return compactionNanos;
    }

    int compactions() {
        return compactions;
    }

    private TabletHeader header(long cumulativePoint) {
        return new TabletHeader(tabletId, tabletId, 0, meta.dataDir(), cumulativePoint);
    }

    /** Loads {@code rows} as the next version; returns the nanoseconds it took. */
    long load(RowBatch rows) throws IOException {
        long start = System.nanoTime();
        RowsetId id = engine.nextRowsetId();
        PendingRowset pending;
        try (RowsetWriter writer = new RowsetWriter(dir, tabletId, id, schema,
                engine.config().get(StorageKeys.WRITE_BUFFER_SIZE), null)) {
            writer.addAll(rows);
            pending = writer.build();
        }
        long version = meta.maxVersion() + 1;
        RowsetMeta rowset = pending.toMeta(Version.of(version), engine.clock().millis(), version);
        MetaBatch batch = new MetaBatch().putRowset(rowset);
        DeleteBitmap delta = null;
        if (mergeOnWrite) {
            delta = new DeleteBitmapCalculator(dir, tabletId, schema, engine.primaryKeys())
                    .calculate(id, pending.segments(), meta.rowsets(), bitmap.aggregate(), true).withVersion(version);
            batch.putDeleteBitmap(tabletId, delta);
        }
        engine.meta().write(batch);
        meta = meta.addRowset(rowset);
        if (delta != null) {
            bitmap.merge(delta);
        }
        long took = System.nanoTime() - start;
        loadNanos += took;
        return took;
    }

    /** What the node's policies would compact now (cumulative first, then base), or null. */
    CompactionPick pick(CompactionConfig config, Clock clock) {
        PolicyContext ctx = context(config, clock);
        PickResult cumulative = CumulativeCompactionPolicy.forTable(TableProperties.DEFAULTS).pick(meta, ctx);
        if (cumulative instanceof CompactionPick p) {
            return p;
        }
        keepPoint(((Refusal) cumulative).cumulativePoint());
        PickResult base = CompactionPolicy.of(CompactionType.BASE, ctx).pick(meta, ctx);
        return base instanceof CompactionPick p ? p : null;
    }

    private static PolicyContext context(CompactionConfig config, Clock clock) {
        return PolicyContext.builder(config, clock).keysType(KeysType.UNIQUE_KEYS)
                .tableProperties(TableProperties.DEFAULTS).build();
    }

    private void keepPoint(long cp) {
        if (cp > meta.cumulativePoint()) {
            engine.meta().write(new MetaBatch().putTablet(header(cp)));
            meta = meta.withCumulativePoint(cp);
        }
    }

    /**
     * Runs a compaction of the rowsets of {@code pick}'s version range (the pick may come from the
     * other tablet of the bench: both hold the same versions) and commits it.
     */
    void compact(CompactionPick pick, CompactionConfig config, Clock clock) throws IOException {
        long start = System.nanoTime();
        List<RowsetMeta> inputs = new ArrayList<>();
        for (RowsetMeta r : meta.rowsets()) {
            if (r.startVersion() >= pick.outputVersion().start() && r.endVersion() <= pick.outputVersion().end()) {
                inputs.add(r);
            }
        }
        CompactionPick mine = new CompactionPick(pick.type(), pick.policy(), tabletId, inputs, pick.outputVersion(),
                pick.score(), pick.permits(), pick.reason(), pick.emptyRowsetMerge(), pick.outputLevel(),
                Math.max(meta.cumulativePoint(), pick.cumulativePoint()), pick.metDeleteVersion());
        keepPoint(mine.cumulativePoint());
        var c = engine.config();
        CompactionSettings settings = new CompactionSettings(c.get(StorageKeys.ENABLE_VERTICAL_COMPACTION),
                c.getInt(StorageKeys.VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP),
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_ROW_SOURCE_MEMORY_MB) << 20,
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_SEGMENT_SIZE), mergeOnWrite,
                c.get(StorageKeys.ENABLE_ORDERED_DATA_COMPACTION) && !mergeOnWrite,
                c.get(StorageKeys.ORDERED_DATA_COMPACTION_MIN_SEGMENT_SIZE));
        CompactionOutput merged = RowsetCompactor.compact(dir, tabletId, schema, inputs, engine.nextRowsetId(),
                settings);
        long now = clock.millis();
        RowsetMeta output = merged.rowset().toMeta(mine.outputVersion(), now, 0)
                .withCompactionLevel(mine.outputLevel());
        long cp = Math.max(meta.cumulativePoint(), CumulativeCompactionPolicy.forTable(TableProperties.DEFAULTS)
                .updatedCumulativePoint(meta, mine, output, context(config, clock)));
        MetaBatch batch = new MetaBatch();
        for (RowsetMeta in : inputs) {
            batch.putStaleRowset(in, now);
        }
        batch.putRowset(output).putTablet(header(cp));
        Set<RowsetId> inputIds = new HashSet<>();
        inputs.forEach(r -> inputIds.add(r.rowsetId()));
        DeleteBitmap marks = null;
        if (mergeOnWrite) {
            marks = bitmap.convertedTo(inputs, output.rowsetId(), merged.conversion());
            for (RowsetId in : inputIds) {
                batch.add(new MetaBatch.DeleteDeleteBitmap(tabletId, in));
            }
            batch.putDeleteBitmap(tabletId, marks);
        }
        engine.meta().write(batch);
        meta = meta.replaceRowsets(inputs, output, now).withCumulativePoint(cp);
        if (marks != null) {
            bitmap.removeRowsets(inputIds);
            bitmap.merge(marks);
        }
        // No reader holds the inputs (the bench reads only after loading), so they go at once
        // instead of after tablet_rowset_stale_sweep_time_sec.
        for (RowsetMeta in : inputs) {
            for (int s = 0; s < in.numSegments(); s++) {
                engine.primaryKeys().invalidate(dir.segmentPath(tabletId, in.rowsetId(), s));
            }
            dir.deleteRowsetFiles(tabletId, in.rowsetId(), in.numSegments());
        }
        meta = meta.withoutStale(inputIds);
        compactions++;
        compactionNanos += System.nanoTime() - start;
    }

    /** A read snapshot (merge-on-write: with the rows the bitmap marks). */
    TabletSnapshot snapshot() {
        return new TabletSnapshot(meta, schema, dir, () -> { }, mergeOnWrite ? bitmap.aggregate() : null);
    }

    /** Rowsets as {@code [versions] rows}, for the report. */
    String layout() {
        StringBuilder sb = new StringBuilder();
        for (RowsetMeta r : meta.rowsets()) {
            if (r.numRows() > 0) {
                sb.append(r.version()).append(' ').append(String.format("%,d", r.numRows())).append(" rows")
                        .append(r.numSegments() > 1 ? " (" + r.numSegments() + " segments)" : "").append("; ");
            }
        }
        if (mergeOnWrite) {
            sb.append("delete bitmap: ").append(String.format("%,d", bitmap.cardinality())).append(" rows marked");
        }
        return sb.toString();
    }
}
