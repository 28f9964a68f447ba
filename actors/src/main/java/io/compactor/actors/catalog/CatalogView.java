package io.compactor.actors.catalog;

import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.tablet.TableMeta;
import java.util.Collection;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * An immutable picture of the node's tables and tablet actors (and, in cluster mode, the ids of
 * tables dropped cluster-wide), replaced whole by the catalog after
 * every DDL change, so requests route without asking an actor.
 */
public record CatalogView(Map<String, TableMeta> tablesByName, Map<Long, TableMeta> tablesById,
                          Map<Long, ActorRef<TabletActor.Command>> tablets, Map<Long, Long> tableOfTablet,
                          Map<Long, Long> droppedTables) {

    public static final CatalogView EMPTY = new CatalogView(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    /** @param droppedTables cluster mode: dropped table id to the highest tablet id it had */
    public CatalogView {
        droppedTables = Map.copyOf(droppedTables);
    }

    public static String key(String db, String table) {
        return db + "." + table;
    }

    public TableMeta table(String db, String name) {
        return tablesByName.get(key(db, name));
    }

    public ActorRef<TabletActor.Command> tablet(long tabletId) {
        return tablets.get(tabletId);
    }

    public TableMeta tableOf(long tabletId) {
        Long t = tableOfTablet.get(tabletId);
        return t == null ? null : tablesById.get(t);
    }

    public Collection<TableMeta> tables() {
        return tablesById.values();
    }
}
