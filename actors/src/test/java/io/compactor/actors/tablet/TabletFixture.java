package io.compactor.actors.tablet;

import com.typesafe.config.ConfigFactory;
import io.compactor.actors.Compactor;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.config.SchedulerKeys;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.policy.PolicyContext;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.meta.TabletHeader;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One duplicate-key tablet on a real storage engine in a temp dir, without any actor: its
 * {@link TabletState}, and loads committed directly to its meta. For the tablet's collaborators'
 * unit tests.
 */
final class TabletFixture implements AutoCloseable {
    static final long TABLET = 10_001;
    static final Schema SCHEMA = schema(KeysType.DUPLICATE_KEYS);

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final StorageEngine engine;
    final TabletState state;
    final CompactionStatusBook book = new CompactionStatusBook();
    private long txn;

    TabletFixture(Path dir, Map<String, String> properties) {
        this(dir, properties, KeysType.DUPLICATE_KEYS);
    }

    /** A tablet of {@code keys}; UNIQUE_KEYS is merge-on-write (load with {@link #write} and the protocol). */
    TabletFixture(Path dir, Map<String, String> properties, KeysType keys) {
        var config = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.enable_segcompaction", false)).withFallback(ConfigFactory.load());
        engine = StorageEngine.open(CompactorConfig.load(config, Compactor.configKeys()), clock);
        TableMeta table = new TableMeta(1001, "db", "t", schema(keys), 1, 1,
                TableProperties.parse(properties, keys == KeysType.UNIQUE_KEYS),
                List.of(TABLET), clock.millis());
        String dataDir = engine.dataDirs().get(0).path();
        TabletMeta meta = TabletMeta.create(TABLET, table.tableId(), 0, dataDir);
        RowsetMeta initial = new RowsetMeta(engine.nextRowsetId(), TABLET, new Version(0, 1), List.of(),
                SegmentsOverlap.NONOVERLAPPING, clock.millis(), 0, 0);
        meta = meta.addRowset(initial);
        engine.meta().write(new MetaBatch().putTable(table).putTablet(new TabletHeader(TABLET, table.tableId(), 0,
                dataDir, meta.cumulativePoint())).putRowset(initial));
        state = new TabletState(engine, table, meta);
    }

    static Schema schema(KeysType keys) {
        return Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
                new Column("v", ColumnType.BIGINT, true, 0), new Column("s", ColumnType.VARCHAR, true, 32)),
                List.of("id"), keys);
    }

    static RowBatch rows(Schema schema, long from, long to, long value) {
        RowBatch rows = new RowBatch(schema, (int) (to - from));
        for (long id = from; id < to; id++) {
            int r = rows.addRow();
            rows.setLong(r, 0, id);
            rows.setLong(r, 1, value);
            rows.setBytes(r, 2, ("s" + id).getBytes(StandardCharsets.UTF_8));
        }
        return rows;
    }

    /**
     * Writes a load of ids [from, to) with {@code value} as a tablet does before the commit (files, and
     * for merge-on-write the marks against the rowsets visible now); nothing is committed.
     */
    TabletWrite write(long from, long to, long value) {
        var segcompaction = new io.compactor.actors.segcompaction.SegcompactionService(null, engine,
                () -> java.time.Duration.ofSeconds(10));
        return LoadWriter.writeAsync(state, rows(state.table.schema(), from, to, value), segcompaction, Runnable::run)
                .join();
    }

    /** Commits a load of ids [from, to) at the tablet's next version, as a publish does (duplicate keys only). */
    RowsetMeta load(long from, long to) {
        RowBatch rows = rows(SCHEMA, from, to, 0);
        for (int r = 0; r < rows.size(); r++) {
            rows.setLong(r, 1, rows.getLong(r, 0) * 10);
        }
        try {
            RowsetWriter writer = new RowsetWriter(state.dir, TABLET, engine.nextRowsetId(), SCHEMA, 1 << 20, null);
            writer.addAll(rows);
            PendingRowset pending = writer.build();
            RowsetMeta rowset = pending.toMeta(Version.of(state.meta.maxVersion() + 1), clock.millis(), ++txn);
            engine.meta().write(new MetaBatch().putRowset(rowset));
            state.meta = state.meta.addRowset(rowset);
            return rowset;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CompactionConfig compactionConfig() {
        return SchedulerKeys.compactionConfig(engine.config());
    }

    PolicyContext policyContext() {
        return TabletReports.policyContext(state, compactionConfig(), book);
    }

    /** Starts a compaction of {@code type} with plenty of permits and nothing else running; expects a pick. */
    CompactionPick pick(CompactionType type) {
        var start = CompactionRun.start(state, type, Long.MAX_VALUE, Set.of(), false, policyContext());
        if (start instanceof CompactionRun.Run run) {
            return run.pick();
        }
        throw new AssertionError("expected a pick, got " + start);
    }

    /** Picks, merges and commits a compaction of {@code type}. */
    CompactionRun.Committed compact(CompactionType type) {
        CompactionPick pick = pick(type);
        var merged = CompactionRun.merge(files(), pick, engine.nextRowsetId(),
                CompactionRun.settings(engine.config(), state.table, type), engine.debugPoints());
        return CompactionRun.commit(state, pick, merged, null, policyContext());
    }

    CompactionRun.TabletFiles files() {
        return new CompactionRun.TabletFiles(state.dir, TABLET, state.table.schema());
    }

    /** The segment file names in the tablet's directory. */
    Set<String> segmentFiles() {
        try (Stream<Path> s = Files.list(state.dir.tabletDir(TABLET))) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> versions(TabletMeta meta) {
        return meta.rowsets().stream().map(r -> r.version().toString()).toList();
    }

    @Override
    public void close() {
        engine.close();
    }
}
