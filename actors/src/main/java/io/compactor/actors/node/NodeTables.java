package io.compactor.actors.node;

import io.compactor.actors.catalog.Catalog;
import io.compactor.api.CreateTableSpec;
import io.compactor.storage.schema.HiddenColumns;
import io.compactor.api.Tables;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/** {@link Tables} of a node: DDL through the catalog actor, or through the meta log in cluster mode. */
final class NodeTables implements Tables {
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);
    private final Node node;

    NodeTables(Node node) {
        this.node = node;
    }

    @Override
    public CompletionStage<TableMeta> create(CreateTableSpec declared) {
        CreateTableSpec spec;
        try {
            spec = new CreateTableSpec(declared.db(), declared.name(),
                    HiddenColumns.add(declared.schema(), declared.properties()), declared.buckets(),
                    declared.replicationNum(), HiddenColumns.tableProperties(declared.properties()));
        } catch (IllegalArgumentException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(
                    new StatusException(io.compactor.storage.util.Status.invalidArgument(e.getMessage())));
        }
        if (node.clusterDdl != null) {
            return node.clusterDdl.create(spec);
        }
        return ddl(replyTo -> new Catalog.CreateTable(spec, replyTo));
    }

    @Override
    public CompletionStage<TableMeta> drop(String db, String name) {
        if (node.clusterDdl != null) {
            return node.clusterDdl.drop(db, name);
        }
        return ddl(replyTo -> new Catalog.DropTable(db, name, replyTo));
    }

    @Override
    public CompletionStage<TableMeta> alter(String db, String name, Map<String, String> changes) {
        if (node.clusterDdl != null) {
            return node.clusterDdl.alter(db, name, changes);
        }
        return ddl(replyTo -> new Catalog.AlterProperties(db, name, changes, replyTo));
    }

    private CompletionStage<TableMeta> ddl(Function<ActorRef<Catalog.DdlResult>, Catalog.Command> msg) {
        return AskPattern.ask(node.catalog, msg, DDL_TIMEOUT, node.system.scheduler()).thenApply(r -> {
            if (!r.status().ok()) {
                throw new StatusException(r.status());
            }
            return r.table();
        });
    }

    @Override
    public TableMeta get(String db, String name) {
        return node.view.get().table(db, name);
    }

    @Override
    public TableMeta byId(long tableId) {
        return node.view.get().tablesById().get(tableId);
    }

    @Override
    public List<TableMeta> list() {
        List<TableMeta> all = new ArrayList<>(node.view.get().tables());
        all.sort(Comparator.comparingLong(TableMeta::tableId));
        return all;
    }

    @Override
    public TableMeta tableOf(long tabletId) {
        return node.view.get().tableOf(tabletId);
    }

    @Override
    public boolean isLocal(long tabletId) {
        return node.view.get().tablet(tabletId) != null;
    }

    @Override
    public List<Long> localTablets() {
        List<Long> ids = new ArrayList<>(node.view.get().tablets().keySet());
        ids.sort(null);
        return ids;
    }
}
