package io.compactor.storage.tablet;

import io.compactor.storage.schema.Schema;
import java.util.List;
import java.util.Objects;

/**
 * A table: its schema, properties and tablets (one per bucket).
 *
 * @param tableId        node-unique table id
 * @param db             database name
 * @param name           table name
 * @param schema         columns, key columns and keys model
 * @param buckets        number of buckets (= tablets)
 * @param replicationNum replicas per tablet (1 on a single node)
 * @param properties     compaction properties
 * @param tabletIds      tablet id of each bucket, index = bucket
 * @param createdMs      creation time
 */
public record TableMeta(long tableId, String db, String name, Schema schema, int buckets, int replicationNum,
                        TableProperties properties, List<Long> tabletIds, long createdMs) {
    public TableMeta {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(properties, "properties");
        tabletIds = List.copyOf(tabletIds);
    }

    public boolean isMergeOnWrite() {
        return schema.isUniqueKeys();
    }

    public TableMeta withProperties(TableProperties p) {
        return new TableMeta(tableId, db, name, schema, buckets, replicationNum, p, tabletIds, createdMs);
    }

    /** The tablet that holds rows whose key hashes to {@code keyHash}. */
    public long tabletFor(int keyHash) {
        return tabletIds.get(Math.floorMod(keyHash, buckets));
    }
}
