package io.compactor.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.api.CreateTableSpec;
import io.compactor.api.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The node fixture of every embedded-node test: a node on a temp dir (small write buffer), two small
 * schemas, loads and CSV building.
 */
public final class TestNode {
    public static final String DB = "db";

    private TestNode() {
    }

    /** A node on {@code dir} with a small write buffer and the given extra settings (Doris key names). */
    public static Compactor start(Path dir, Map<String, Object> extra) {
        return Compactor.start(config(dir, extra));
    }

    /** As {@link #start(Path, Map)}, on an injected clock. */
    public static Compactor start(Path dir, Map<String, Object> extra, java.time.Clock clock) {
        return Compactor.start(config(dir, extra), clock);
    }

    public static Config config(Path dir, Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.toString());
        m.put("compactor.webserver_port", 0);
        m.put("compactor.write_buffer_size", 1 << 20);
        extra.forEach((k, v) -> m.put(k.startsWith("compactor.") ? k : "compactor." + k, v));
        return ConfigFactory.parseMap(m).withFallback(ConfigFactory.load());
    }

    /** {@code id BIGINT, v BIGINT, s VARCHAR(32)} keyed on id. */
    public static Schema schema(KeysType keys) {
        return Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
                new Column("v", ColumnType.BIGINT, true, 0),
                new Column("s", ColumnType.VARCHAR, true, 32)), List.of("id"), keys);
    }

    public static TableMeta createTable(Compactor node, String name, KeysType keys, int buckets) {
        return join(node.tables().create(new CreateTableSpec(DB, name, schema(keys), buckets, 1, Map.of())));
    }

    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    public static LoadResult load(Compactor node, String table, String csv, String label) {
        return load(node, table, csv, LoadOptions.DEFAULTS, label);
    }

    public static LoadResult load(Compactor node, String table, String csv, LoadOptions options, String label) {
        return join(node.loads().streamLoad(DB, table, csv.getBytes(StandardCharsets.UTF_8), options, label));
    }

    /** One tab-separated line per row {@code id, v, "s"+v}. */
    public static String csv(Map<Long, Long> rows) {
        StringBuilder sb = new StringBuilder();
        rows.forEach((id, v) -> sb.append(id).append('\t').append(v).append('\t').append("s").append(v).append('\n'));
        return sb.toString();
    }

    /** Rows of a batch as {@code id,v,s} strings, in batch order. */
    public static List<String> lines(RowBatch rows) {
        List<String> out = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < rows.schema().columnCount(); c++) {
                if (c > 0) {
                    sb.append(',');
                }
                sb.append(rows.text(r, c));
            }
            out.add(sb.toString());
        }
        return out;
    }

    public static List<String> scan(Compactor node, String table) {
        return lines(join(node.reads().scan(DB, table, Long.MAX_VALUE)));
    }

    public static long count(Compactor node, String table) {
        return join(node.reads().count(DB, table));
    }

    public static Map<Long, TabletMeta> tabletMetas(Compactor node, String table) {
        Map<Long, TabletMeta> out = new HashMap<>();
        for (long id : node.tables().get(DB, table).tabletIds()) {
            out.put(id, join(node.reads().tabletMeta(id)));
        }
        return out;
    }

    /**
     * The visible rowsets of every tablet: what a load may change. (The cumulative point is left
     * out: automatic compaction computes it lazily, independently of any load.)
     */
    public static Map<Long, java.util.List<io.compactor.storage.rowset.RowsetMeta>> visibleRowsets(Compactor node, String table) {
        Map<Long, java.util.List<io.compactor.storage.rowset.RowsetMeta>> out = new HashMap<>();
        for (long id : node.tables().get(DB, table).tabletIds()) {
            out.put(id, join(node.reads().tabletMeta(id)).rowsets());
        }
        return out;
    }

    /** {@code (id BIGINT key, name VARCHAR, score INT)}: the compaction tests' table. */
    public static TableMeta createScoreTable(Compactor node, String name, KeysType keys, int buckets,
                                             Map<String, String> props) {
        Schema schema = Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
                new Column("name", ColumnType.VARCHAR, true, 255), new Column("score", ColumnType.INT, true, 0)),
                List.of("id"), keys);
        return join(node.tables().create(new CreateTableSpec(DB, name, schema, buckets, 1, props)));
    }

    /** Loads rows {@code id, "name"+id, id % 1000} for ids in [from, to) into a score table; asserts success. */
    public static void loadScores(Compactor node, String table, long from, long to) {
        StringBuilder sb = new StringBuilder();
        for (long id = from; id < to; id++) {
            sb.append(id).append('\t').append("name").append(id).append('\t').append(id % 1000).append('\n');
        }
        LoadResult r = join(node.loads().streamLoad(DB, table, sb.toString().getBytes(StandardCharsets.UTF_8),
                LoadOptions.DEFAULTS, null));
        if (!r.isSuccess()) {
            throw new AssertionError("load into " + table + " failed: " + r);
        }
    }
}
