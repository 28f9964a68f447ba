package io.compactor.actors.catalog;

import io.compactor.api.CreateTableSpec;
import io.compactor.storage.util.StatusCode;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletStatsRegistry;
import io.compactor.storage.DataDir;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.meta.TabletHeader;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The node's tables and the parent of every tablet actor: creates, recovers, alters and drops
 * tables, each change persisted in one synced meta batch before it takes effect. After each
 * change it publishes a new {@link CatalogView}.
 */
public final class Catalog extends AbstractBehavior<Catalog.Command> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    public interface Command {
    }

    /** Answer of a DDL command: the table (after the change) or the failure. */
    public record DdlResult(TableMeta table, Status status) {
    }

    public record CreateTable(CreateTableSpec spec, ActorRef<DdlResult> replyTo) implements Command {
    }

    public record DropTable(String db, String name, ActorRef<DdlResult> replyTo) implements Command {
    }

    public record AlterProperties(String db, String name, Map<String, String> changes, ActorRef<DdlResult> replyTo)
            implements Command {
    }

    /**
     * Cluster mode: stores a table decided by the cluster catalog (ids and placement fixed) and
     * creates this node's replicas of it ({@code self} is this node's cluster address); for a table
     * already known, takes its new properties. Answers the table.
     */
    public record AdoptTable(TableMeta table, String self, ActorRef<DdlResult> replyTo) implements Command {
    }

    /** Cluster mode: drops the table with this id if this node knows it (answers OK either way). */
    public record DropTableById(long tableId, ActorRef<DdlResult> replyTo) implements Command {
    }

    /** Registers an extra listener told about every tablet actor (e.g. the compaction supervisor). */
    public record TabletSpawned(long tabletId, ActorRef<TabletActor.Command> ref) {
    }

    private final ActorContext<Command> ctx;
    private final StorageEngine engine;
    private final TabletStatsRegistry stats;
    private final AtomicReference<CatalogView> view;
    private final TabletFactory tabletFactory;
    private final Map<String, TableMeta> byName = new HashMap<>();
    private final Map<Long, TableMeta> byId = new HashMap<>();
    private final Map<Long, ActorRef<TabletActor.Command>> tablets = new HashMap<>();
    private final Map<Long, Long> tableOfTablet = new HashMap<>();
    /** Cluster mode: tables dropped cluster-wide (persisted), never adopted again. */
    private final Map<Long, Long> dropped = new HashMap<>();

    /** Builds the behavior of a tablet actor; lets the node add compaction wiring. */
    @FunctionalInterface
    public interface TabletFactory {
        Behavior<TabletActor.Command> create(TableMeta table, Supplier<TabletMeta> meta);
    }

    /**
     * @param ready completed once the recovered tables are published (or with the error that
     *              stopped recovery), so the node does not answer before it knows its tables
     */
    public static Behavior<Command> create(StorageEngine engine, TabletStatsRegistry stats,
                                           AtomicReference<CatalogView> view, TabletFactory factory,
                                           java.util.concurrent.CompletableFuture<Void> ready) {
        return Behaviors.setup(ctx -> {
            try {
                Catalog c = new Catalog(ctx, engine, stats, view, factory);
                ready.complete(null);
                return c;
            } catch (RuntimeException e) {
                ready.completeExceptionally(e);
                throw e;
            }
        });
    }

    private Catalog(ActorContext<Command> ctx, StorageEngine engine, TabletStatsRegistry stats,
                    AtomicReference<CatalogView> view, TabletFactory factory) {
        super(ctx);
        this.ctx = ctx;
        this.engine = engine;
        this.stats = stats;
        this.view = view;
        this.tabletFactory = factory;
        dropped.putAll(engine.meta().loadDroppedTables());
        long t0 = System.nanoTime();
        Map<Long, TabletMeta> recovered = new HashMap<>();
        for (TabletMeta t : engine.recoveredTablets()) {
            recovered.put(t.tabletId(), t);
        }
        for (TableMeta t : engine.recoveredTables()) {
            register(t);
            for (long tabletId : t.tabletIds()) {
                TabletMeta m = recovered.get(tabletId);
                if (m == null && t.isPlaced()) {
                    continue; // a replica on another node
                }
                if (m == null) {
                    throw new IllegalStateException("table " + t.db() + "." + t.name() + " lists tablet " + tabletId
                            + " but the meta store has no such tablet");
                }
                spawnTablet(t, m);
            }
        }
        publish();
        ctx.getLog().info("catalog: {} tables, {} tablet actors spawned in {} ms", byId.size(), tablets.size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(CreateTable.class, this::onCreate)
                .onMessage(DropTable.class, this::onDrop)
                .onMessage(AlterProperties.class, this::onAlter)
                .onMessage(AdoptTable.class, this::onAdopt)
                .onMessage(DropTableById.class, this::onDropById)
                .build();
    }

    private void register(TableMeta t) {
        byName.put(CatalogView.key(t.db(), t.name()), t);
        byId.put(t.tableId(), t);
    }

    private void spawnTablet(TableMeta table, TabletMeta initial) {
        long tabletId = initial.tabletId();
        Supplier<TabletMeta> metaSupplier = new Supplier<>() {
            private boolean first = true;

            @Override
            public TabletMeta get() {
                if (first) {
                    first = false;
                    return initial;
                }
                // A restart after a failure: the committed meta is the truth, not what was in memory.
                return engine.meta().loadTablet(tabletId)
                        .orElseThrow(() -> new IllegalStateException("tablet " + tabletId + " vanished from meta"));
            }
        };
        Behavior<TabletActor.Command> behavior = Behaviors.supervise(tabletFactory.create(table, metaSupplier))
                .onFailure(SupervisorStrategy.restart());
        ActorRef<TabletActor.Command> ref = ctx.spawn(behavior, "tablet-" + tabletId,
                DispatcherSelector.fromConfig("compactor.tablet-dispatcher"));
        tablets.put(tabletId, ref);
        tableOfTablet.put(tabletId, table.tableId());
    }

    private void publish() {
        view.set(new CatalogView(Map.copyOf(byName), Map.copyOf(byId), Map.copyOf(tablets), Map.copyOf(tableOfTablet),
                dropped));
    }

    private Behavior<Command> onCreate(CreateTable m) {
        CreateTableSpec s = m.spec();
        try {
            if (byName.containsKey(CatalogView.key(s.db(), s.name()))) {
                validateName("database", s.db());
                validateName("table", s.name());
                m.replyTo().tell(new DdlResult(null, new Status(StatusCode.ALREADY_EXIST,
                        "Table '" + s.name() + "' already exists")));
                return this;
            }
            if (s.replicationNum() != 1) {
                validate(s);
                throw new IllegalArgumentException("replication_num must be 1 on a single node (got "
                        + s.replicationNum() + "); cluster mode is needed for more replicas");
            }
            TableProperties props = validate(s);
            long tableId = engine.nextTableId();
            List<Long> tabletIds = new ArrayList<>();
            List<TabletMeta> metas = new ArrayList<>();
            MetaBatch batch = new MetaBatch();
            long now = engine.clock().millis();
            Map<String, Integer> perDir = tabletsPerDir();
            for (int b = 0; b < s.buckets(); b++) {
                long tabletId = engine.nextTabletId();
                metas.add(newTablet(tableId, tabletId, b, perDir, batch, now));
                tabletIds.add(tabletId);
            }
            TableMeta table = new TableMeta(tableId, s.db(), s.name(), s.schema(), s.buckets(), s.replicationNum(),
                    props, tabletIds, now);
            store(table, metas, batch);
            m.replyTo().tell(new DdlResult(table, Status.OK));
        } catch (IllegalArgumentException e) {
            m.replyTo().tell(new DdlResult(null, Status.invalidArgument(e.getMessage())));
        }
        return this;
    }

    /**
     * Checks a CREATE TABLE: names, bucket count, properties (Doris's messages). Replica counts are
     * checked by whoever places the replicas.
     *
     * @return the parsed properties
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TableProperties validate(CreateTableSpec s) {
        validateName("database", s.db());
        validateName("table", s.name());
        if (s.buckets() < 1 || s.buckets() > 1024) {
            throw new IllegalArgumentException("buckets must be between 1 and 1024 (got " + s.buckets() + ")");
        }
        if (s.replicationNum() < 1) {
            throw new IllegalArgumentException("replication_num must be at least 1 (got " + s.replicationNum() + ")");
        }
        return TableProperties.parse(s.properties(), s.schema().isUniqueKeys());
    }

    private Behavior<Command> onAdopt(AdoptTable m) {
        TableMeta t = m.table();
        if (dropped.containsKey(t.tableId())) {
            m.replyTo().tell(new DdlResult(null, new Status(StatusCode.NOT_FOUND, "table " + t.db() + "." + t.name()
                    + " (id " + t.tableId() + ") was dropped")));
            return this;
        }
        TableMeta sameName = byName.get(CatalogView.key(t.db(), t.name()));
        if (sameName != null && sameName.tableId() != t.tableId()) {
            m.replyTo().tell(new DdlResult(null, new Status(StatusCode.ALREADY_EXIST,
                    "Table '" + t.name() + "' already exists")));
            return this;
        }
        TableMeta known = byId.get(t.tableId());
        if (known != null) {
            // New properties, or a new placement: replicas placed here now are created (empty, to be
            // cloned), replicas placed elsewhere now are dropped.
            MetaBatch batch = new MetaBatch();
            List<TabletMeta> created = new ArrayList<>();
            Map<String, Integer> perDir = tabletsPerDir();
            long now = engine.clock().millis();
            for (long tabletId : t.tabletsOn(m.self())) {
                if (!tablets.containsKey(tabletId)) {
                    created.add(newTablet(t.tableId(), tabletId, t.tabletIds().indexOf(tabletId), perDir, batch, now));
                }
            }
            List<Long> gone = new ArrayList<>();
            for (long tabletId : known.tabletsOn(m.self())) {
                if (!t.tabletsOn(m.self()).contains(tabletId) && tablets.containsKey(tabletId)) {
                    gone.add(tabletId);
                    batch.add(new MetaBatch.DeleteTablet(tabletId));
                }
            }
            batch.putTable(t);
            engine.meta().write(batch);
            register(t);
            for (long tabletId : gone) {
                ActorRef<TabletActor.Command> ref = tablets.remove(tabletId);
                tableOfTablet.remove(tabletId);
                ref.tell(new TabletActor.Drop());
            }
            for (long tabletId : t.tabletIds()) {
                ActorRef<TabletActor.Command> ref = tablets.get(tabletId);
                if (ref != null) {
                    ref.tell(new TabletActor.UpdateTable(t));
                }
            }
            for (TabletMeta tm : created) {
                spawnTablet(t, tm);
            }
            publish();
            m.replyTo().tell(new DdlResult(t, Status.OK));
            return this;
        }
        MetaBatch batch = new MetaBatch();
        List<TabletMeta> metas = new ArrayList<>();
        long now = engine.clock().millis();
        Map<String, Integer> perDir = tabletsPerDir();
        for (long tabletId : t.tabletsOn(m.self())) {
            metas.add(newTablet(t.tableId(), tabletId, t.tabletIds().indexOf(tabletId), perDir, batch, now));
        }
        store(t, metas, batch);
        m.replyTo().tell(new DdlResult(t, Status.OK));
        return this;
    }

    /** A new tablet with the empty rowset {@code [0-1]} on the emptiest data dir, added to {@code batch}. */
    private TabletMeta newTablet(long tableId, long tabletId, int bucket, Map<String, Integer> perDir,
                                 MetaBatch batch, long now) {
        DataDir dir = pickDataDir(perDir);
        TabletMeta tm = TabletMeta.create(tabletId, tableId, bucket, dir.path());
        RowsetMeta initial = new RowsetMeta(engine.nextRowsetId(), tabletId, new Version(0, 1), List.of(),
                SegmentsOverlap.NONOVERLAPPING, now, 0, 0);
        tm = tm.addRowset(initial);
        batch.putTablet(new TabletHeader(tabletId, tableId, bucket, dir.path(), tm.cumulativePoint()));
        batch.putRowset(initial);
        return tm;
    }

    /** Persists the table with its new tablets in one synced batch, then starts them and publishes. */
    private void store(TableMeta table, List<TabletMeta> metas, MetaBatch batch) {
        batch.putTable(table);
        engine.meta().write(batch);
        register(table);
        for (TabletMeta tm : metas) {
            spawnTablet(table, tm);
        }
        publish();
    }

    private Behavior<Command> onDropById(DropTableById m) {
        TableMeta t = byId.get(m.tableId());
        if (t == null) {
            m.replyTo().tell(new DdlResult(null, Status.OK));
            return this;
        }
        return onDrop(new DropTable(t.db(), t.name(), m.replyTo()));
    }

    private static void validateName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name
                    + "': must start with a letter and contain only letters, digits and '_' (at most 64)");
        }
    }

    /** Tablets per data dir now, to spread new tablets evenly. */
    private Map<String, Integer> tabletsPerDir() {
        Map<String, Integer> counts = new HashMap<>();
        for (DataDir d : engine.dataDirs()) {
            counts.put(d.path(), 0);
        }
        for (var s : stats.all()) {
            counts.merge(s.dataDir(), 1, Integer::sum);
        }
        return counts;
    }

    /** The data dir holding the fewest tablets (counting those placed in this same CREATE). */
    private DataDir pickDataDir(Map<String, Integer> counts) {
        DataDir best = engine.dataDirs().get(0);
        for (DataDir d : engine.dataDirs()) {
            if (counts.get(d.path()) < counts.get(best.path())) {
                best = d;
            }
        }
        counts.merge(best.path(), 1, Integer::sum);
        return best;
    }

    private Behavior<Command> onDrop(DropTable m) {
        TableMeta t = byName.get(CatalogView.key(m.db(), m.name()));
        if (t == null) {
            m.replyTo().tell(new DdlResult(null, new Status(StatusCode.NOT_FOUND,
                    "Unknown table '" + m.name() + "' in database '" + m.db() + "'")));
            return this;
        }
        MetaBatch batch = new MetaBatch().add(new MetaBatch.DeleteTable(t.tableId()));
        if (t.isPlaced()) {
            long maxTablet = t.tabletIds().stream().mapToLong(Long::longValue).max().orElse(0);
            batch.add(new MetaBatch.PutDroppedTable(t.tableId(), maxTablet, engine.clock().millis()));
            dropped.put(t.tableId(), maxTablet);
        }
        for (long tabletId : t.tabletIds()) {
            batch.add(new MetaBatch.DeleteTablet(tabletId));
        }
        engine.meta().write(batch);
        byName.remove(CatalogView.key(t.db(), t.name()));
        byId.remove(t.tableId());
        for (long tabletId : t.tabletIds()) {
            ActorRef<TabletActor.Command> ref = tablets.remove(tabletId);
            tableOfTablet.remove(tabletId);
            if (ref != null) {
                ref.tell(new TabletActor.Drop());
            }
        }
        publish();
        m.replyTo().tell(new DdlResult(t, Status.OK));
        return this;
    }

    private Behavior<Command> onAlter(AlterProperties m) {
        TableMeta t = byName.get(CatalogView.key(m.db(), m.name()));
        if (t == null) {
            m.replyTo().tell(new DdlResult(null, new Status(StatusCode.NOT_FOUND,
                    "Unknown table '" + m.name() + "' in database '" + m.db() + "'")));
            return this;
        }
        try {
            TableMeta changed = t.withProperties(t.properties().alter(m.changes(), t.isMergeOnWrite()));
            engine.meta().write(new MetaBatch().putTable(changed));
            register(changed);
            for (long tabletId : changed.tabletIds()) {
                tablets.get(tabletId).tell(new TabletActor.UpdateTable(changed));
            }
            publish();
            m.replyTo().tell(new DdlResult(changed, Status.OK));
        } catch (IllegalArgumentException e) {
            m.replyTo().tell(new DdlResult(null, Status.invalidArgument(e.getMessage())));
        }
        return this;
    }
}
