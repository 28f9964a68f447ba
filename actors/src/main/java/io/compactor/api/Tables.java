package io.compactor.api;

import io.compactor.storage.tablet.TableMeta;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Tables of a node: DDL and the catalog. In cluster mode DDL goes through the cluster's catalog
 * (replicas placed on {@code replication_num} distinct live nodes) and every node stores the table.
 * DDL fails with a {@code StatusException}: ALREADY_EXIST, NOT_FOUND or INVALID_ARGUMENT naming what
 * was wrong.
 */
public interface Tables {
    CompletionStage<TableMeta> create(CreateTableSpec spec);

    CompletionStage<TableMeta> drop(String db, String name);

    /** Like ALTER TABLE ... SET: validated as Doris does; takes effect for the next compaction. */
    CompletionStage<TableMeta> alter(String db, String name, Map<String, String> changes);

    /** The table, or null. */
    TableMeta get(String db, String name);

    /** The table with this id, or null. */
    TableMeta byId(long tableId);

    /** Every table, by id. */
    List<TableMeta> list();

    /** The table a tablet belongs to (whether or not this node holds a replica of it), or null. */
    TableMeta tableOf(long tabletId);

    /** Whether this node holds a replica of the tablet. */
    boolean isLocal(long tabletId);

    /** The tablets this node holds a replica of, sorted. */
    List<Long> localTablets();
}
