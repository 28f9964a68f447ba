package io.compactor.actors.compaction;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.Compactor;
import io.compactor.actors.catalog.CreateTableSpec;
import io.compactor.actors.load.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Helpers for compaction tests that embed a node: config, a 3-column table, loads. */
final class CompactionTestNode {
    static final String DB = "db";

    private CompactionTestNode() {
    }

    /** A node configuration on {@code dir} plus {@code extra} keys (under compactor.). */
    static Config config(Path dir, Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.toString());
        m.put("compactor.webserver_port", 0);
        extra.forEach((k, v) -> m.put(k.startsWith("compactor.") ? k : "compactor." + k, v));
        return ConfigFactory.parseMap(m).withFallback(ConfigFactory.load());
    }

    /** {@code (id BIGINT key, name VARCHAR, score INT)}. */
    static TableMeta createTable(Compactor node, String name, KeysType keys, int buckets, Map<String, String> props) {
        Schema schema = Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
                new Column("name", ColumnType.VARCHAR, true, 255), new Column("score", ColumnType.INT, true, 0)),
                List.of("id"), keys);
        return join(node.createTable(new CreateTableSpec(DB, name, schema, buckets, 1, props)));
    }

    /** Loads rows {@code id, "name"+id, id % 1000} for ids in [from, to); asserts success. */
    static void load(Compactor node, String table, long from, long to) {
        StringBuilder sb = new StringBuilder();
        for (long id = from; id < to; id++) {
            sb.append(id).append('\t').append("name").append(id).append('\t').append(id % 1000).append('\n');
        }
        LoadResult r = join(node.streamLoad(DB, table, sb.toString().getBytes(StandardCharsets.UTF_8),
                LoadOptions.DEFAULTS, null));
        assertTrue(r.isSuccess(), r::toString);
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
