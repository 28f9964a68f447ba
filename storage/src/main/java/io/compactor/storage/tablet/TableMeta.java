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
 * @param replicas       cluster mode: for each bucket, the nodes holding its replicas (cluster
 *                       addresses {@code host:port}), in placement order; empty on a single node.
 *                       Placement is durable; a replica stays with its data, and is re-created
 *                       elsewhere (cloned) only when its node is gone for good.
 */
public record TableMeta(long tableId, String db, String name, Schema schema, int buckets, int replicationNum,
                        TableProperties properties, List<Long> tabletIds, long createdMs,
                        List<List<String>> replicas) {
    /** Replica ids are {@code tabletId * REPLICA_ID_STRIDE + index in the placement}. */
    public static final long REPLICA_ID_STRIDE = 16;

    public TableMeta {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(properties, "properties");
        tabletIds = List.copyOf(tabletIds);
        replicas = replicas == null ? List.of() : replicas.stream().map(List::copyOf).toList();
        if (!replicas.isEmpty() && replicas.size() != tabletIds.size()) {
            throw new IllegalArgumentException("table " + db + "." + name + ": " + replicas.size()
                    + " replica lists for " + tabletIds.size() + " tablets");
        }
    }

    /** A single-node table (no placement). */
    public TableMeta(long tableId, String db, String name, Schema schema, int buckets, int replicationNum,
                     TableProperties properties, List<Long> tabletIds, long createdMs) {
        this(tableId, db, name, schema, buckets, replicationNum, properties, tabletIds, createdMs, List.of());
    }

    /** Whether the table's tablets are placed on cluster nodes. */
    public boolean isPlaced() {
        return !replicas.isEmpty();
    }

    /** The nodes holding replicas of {@code tabletId} (empty on a single node or for a foreign id). */
    public List<String> replicaNodes(long tabletId) {
        int bucket = tabletIds.indexOf(tabletId);
        return bucket < 0 || replicas.isEmpty() ? List.of() : replicas.get(bucket);
    }

    /** The cluster-unique id of the replica of {@code tabletId} at {@code index} of its placement. */
    public static long replicaId(long tabletId, int index) {
        return tabletId * REPLICA_ID_STRIDE + index;
    }

    /** Tablets of this table with a replica on {@code node}. */
    public List<Long> tabletsOn(String node) {
        List<Long> out = new java.util.ArrayList<>();
        for (int b = 0; b < replicas.size(); b++) {
            if (replicas.get(b).contains(node)) {
                out.add(tabletIds.get(b));
            }
        }
        return out;
    }

    public boolean isMergeOnWrite() {
        return schema.isUniqueKeys();
    }

    public TableMeta withProperties(TableProperties p) {
        return new TableMeta(tableId, db, name, schema, buckets, replicationNum, p, tabletIds, createdMs, replicas);
    }

    /** The tablet that holds rows whose key hashes to {@code keyHash}. */
    public long tabletFor(int keyHash) {
        return tabletIds.get(Math.floorMod(keyHash, buckets));
    }
}
