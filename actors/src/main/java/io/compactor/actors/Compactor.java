package io.compactor.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.catalog.Catalog;
import io.compactor.actors.catalog.CatalogView;
import io.compactor.actors.catalog.CreateTableSpec;
import io.compactor.actors.cluster.ClusterConfigBuilder;
import io.compactor.actors.cluster.ClusterQuery;
import io.compactor.actors.cluster.ClusterSettings;
import io.compactor.actors.cluster.ClusterStatus;
import io.compactor.actors.cluster.NodeDirectory;
import io.compactor.actors.cluster.NodeInfo;
import io.compactor.actors.cluster.ReplicaPeers;
import io.compactor.actors.replica.CatchUpResult;
import io.compactor.actors.replica.PeerSync;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.peer.PeerRowsetFetcher;
import io.compactor.storage.peer.PeerRowsets;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.scheduler.replica.ReplicaVersions;
import io.compactor.actors.load.LoadCommitter;
import io.compactor.actors.load.LoadResult;
import io.compactor.actors.load.StreamLoader;
import io.compactor.actors.compaction.CompactionProfiles;
import io.compactor.actors.compaction.CompactionSupervisor;
import io.compactor.actors.segcompaction.SegmentCompaction;
import io.compactor.actors.segcompaction.SegmentCompactionActor;
import io.compactor.actors.tablet.CompactionEnv;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletCompactionStatus;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.config.SchedulerKeys;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.actors.tablet.TabletStatsRegistry;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.ConfigKey;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.mow.MowChecker;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * The embedding entry point: a running Compactor node inside your JVM. {@link #start(Config)}
 * opens the storage (recovering from the meta store), starts the actor system and returns a
 * handle offering the same operations as the HTTP API. Every method is thread-safe; operations
 * that involve actors return {@link CompletionStage}s that never block the caller.
 *
 * <pre>{@code
 * try (Compactor node = Compactor.start(ConfigFactory.parseString("compactor.storage_root_path=/tmp/c")
 *         .withFallback(ConfigFactory.load()))) {
 *     node.createTable(spec).toCompletableFuture().join();
 *     LoadResult r = node.streamLoad("db", "t", csvBytes, LoadOptions.csv(), "label-1").toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class Compactor implements AutoCloseable {
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);
    /** The actor system's name: the same on every node, as Pekko Cluster requires. */
    public static final String SYSTEM_NAME = "compactor";
    /** Timeout of each request to a peer replica (its rowsets, the headers of each file). */
    public static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link #clusterStatus()} waits for each member's answer. */
    public static final Duration CLUSTER_ASK_TIMEOUT = Duration.ofSeconds(3);

    private final CompactorConfig config;
    private final StorageEngine engine;
    private final ActorSystem<Void> system;
    private final AtomicReference<CatalogView> view;
    private final ActorRef<Catalog.Command> catalog;
    private final StreamLoader loader;
    private final NodeMetrics metrics;
    private final TabletStatsRegistry stats;
    private final Executor readExecutor;
    private final java.util.concurrent.Semaphore readSlots;
    private final ClusterSettings cluster;
    /** host:port of the HTTP API as bound (the configured one until a server binds). */
    private final AtomicReference<String> httpAddress;
    private final List<String> dataDirs;

    private final CompactionProfiles profiles = new CompactionProfiles();
    /** Peer replicas (single-replica compaction, catch-up) and the HTTP fetcher. */
    private final PeerSync peerSync;
    private final Executor compactionExecutor;
    private final AtomicReference<CompactionConfig> compactionConfig;
    private ActorRef<CompactionSupervisor.Command> supervisor;

    private record Refs(ActorRef<Catalog.Command> catalog, ActorRef<LoadCommitter.Command> committer,
                        ActorRef<CompactionSupervisor.Command> supervisor,
                        ActorRef<io.compactor.actors.cluster.ClusterCatalog.Command> clusterCatalog,
                        io.compactor.actors.cluster.ClusterServices clusterServices) {
    }

    /** Cluster mode only: the cluster's DDL singleton, services, loads, reads and peers. */
    private ActorRef<io.compactor.actors.cluster.ClusterCatalog.Command> clusterCatalog;
    private io.compactor.actors.cluster.ClusterServices clusterServices;
    private io.compactor.actors.cluster.ClusterReads clusterReads;
    private io.compactor.actors.cluster.ClusterNodeLoop clusterLoop;

    /** All configuration keys the node knows, by module. */
    public static List<List<ConfigKey<?>>> configKeys() {
        return List.of(StorageKeys.ALL, SchedulerKeys.ALL, NodeKeys.ALL);
    }

    /** Starts a node on {@code application.conf} / {@code reference.conf} / system properties. */
    public static Compactor start() {
        return start(ConfigFactory.load());
    }

    public static Compactor start(Config config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Starts a node with an injected clock (times in meta, stale sweeps and compaction policies
     * follow it; tests and simulations move it instead of sleeping).
     *
     * @throws IllegalArgumentException naming the key when a setting is invalid
     */
    public static Compactor start(Config config, Clock clock) {
        Config resolved = clusterAliases(config.resolve());
        CompactorConfig cfg = CompactorConfig.load(resolved, configKeys());
        StorageEngine engine = StorageEngine.open(cfg, clock);
        try {
            return new Compactor(cfg, engine, resolved);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Accepts the nested spelling {@code compactor.cluster.enabled / host / port / seed_nodes /
     * down_after_seconds} for the flat {@code compactor.cluster_*} keys (the nested one wins).
     */
    static Config clusterAliases(Config c) {
        for (String k : List.of("enabled", "host", "port", "seed_nodes", "down_after_seconds")) {
            String nested = "compactor.cluster." + k;
            if (c.hasPath("compactor.cluster") && c.getValue("compactor.cluster").valueType()
                    == com.typesafe.config.ConfigValueType.OBJECT && c.hasPath(nested)) {
                c = c.withValue("compactor.cluster_" + k, c.getValue(nested));
            }
        }
        return c;
    }

    private Compactor(CompactorConfig config, StorageEngine engine, Config raw) {
        this.config = config;
        this.engine = engine;
        this.metrics = new NodeMetrics();
        this.stats = new TabletStatsRegistry();
        this.view = new AtomicReference<>(CatalogView.EMPTY);
        this.compactionConfig = new AtomicReference<>(SchedulerKeys.compactionConfig(config));
        this.cluster = ClusterSettings.from(config);
        this.httpAddress = new AtomicReference<>(
                config.get(NodeKeys.WEBSERVER_HOST) + ":" + config.getInt(NodeKeys.WEBSERVER_PORT));
        CompletableFuture<Refs> refs = new CompletableFuture<>();
        CompletableFuture<Void> catalogReady = new CompletableFuture<>();
        List<String> dirs = engine.dataDirs().stream().map(d -> d.path()).toList();
        this.dataDirs = dirs;
        this.peerSync = new PeerSync(new PeerRowsetFetcher(PEER_TIMEOUT, engine.debugPoints()));
        Behavior<Void> guardian = Behaviors.setup(ctx -> {
            Executor loadExecutor = ctx.getSystem().dispatchers()
                    .lookup(DispatcherSelector.fromConfig("compactor.load-dispatcher"));
            Executor compactionExecutor = ctx.getSystem().dispatchers()
                    .lookup(DispatcherSelector.fromConfig("compactor.compaction-dispatcher"));
            ActorRef<CompactionSupervisor.Command> sup = ctx.spawn(CompactionSupervisor.create(compactionConfig::get,
                    () -> config.get(SchedulerKeys.DISABLE_AUTO_COMPACTION), engine.clock(), metrics, dirs,
                    Runtime.getRuntime().availableProcessors(), peerSync::isFollower), "compaction-supervisor");
            ActorRef<SegmentCompactionActor.Command> segcompactionActor = ctx.spawn(SegmentCompactionActor.create(
                    ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(SegmentCompactionActor.DISPATCHER)),
                    metrics), "segment-compaction");
            SegmentCompaction segcompaction = new SegmentCompaction(segcompactionActor, engine,
                    () -> Duration.ofSeconds(config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS)));
            CompactionEnv env = new CompactionEnv(sup, compactionExecutor, profiles, compactionConfig::get,
                    segcompaction, peerSync);
            Catalog.TabletFactory factory = (table, meta) -> Behaviors.setup(
                    c -> TabletActor.create(engine, table, meta.get(), metrics, stats, loadExecutor, env));
            ActorRef<Catalog.Command> cat = ctx.spawn(
                    Catalog.create(engine, stats, view, factory, catalogReady), "catalog");
            ActorRef<LoadCommitter.Command> committer = ctx.spawn(LoadCommitter.create(engine), "load-committer",
                    DispatcherSelector.fromConfig("compactor.tablet-dispatcher"));
            ActorRef<io.compactor.actors.cluster.ClusterCatalog.Command> ddl = null;
            io.compactor.actors.cluster.ClusterServices services = null;
            if (cluster.enabled()) {
                String self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
                var book = new io.compactor.actors.cluster.NodeBook(ctx.getSystem());
                services = new io.compactor.actors.cluster.ClusterServices(book.self(), engine, view, loadExecutor,
                        this::catchUpReplica, () -> Duration.ofSeconds(config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS)),
                        book, tabletId -> sup.tell(new CompactionSupervisor.PeerCompacted(tabletId)));
                ctx.spawn(NodeDirectory.create(() -> nodeInfo(self), cat, view, book.self()), "node-directory");
                ddl = io.compactor.actors.cluster.ClusterWiring.init(ctx.getSystem(), services);
            }
            refs.complete(new Refs(cat, committer, sup, ddl, services));
            return Behaviors.empty();
        });
        Config pekkoConfig = SegmentCompactionActor.dispatcherConfig(
                config.getInt(StorageKeys.SEGCOMPACTION_NUM_THREADS)).withFallback(raw);
        if (cluster.enabled()) {
            pekkoConfig = ClusterConfigBuilder.build(SYSTEM_NAME, cluster).withFallback(pekkoConfig);
        }
        this.system = ActorSystem.create(guardian, SYSTEM_NAME, pekkoConfig);
        try {
            if (cluster.enabled() && cluster.selfSeed()) {
                Cluster c = Cluster.get(system);
                c.manager().tell(Join.create(c.selfMember().address()));
            }
            Refs r = refs.get(30, TimeUnit.SECONDS);
            this.catalog = r.catalog();
            this.supervisor = r.supervisor();
            config.addListener((key, value) -> {
                compactionConfig.set(SchedulerKeys.compactionConfig(config));
                supervisor.tell(CompactionSupervisor.ConfigChanged.INSTANCE);
            });
            catalogReady.get(60, TimeUnit.SECONDS);
            Executor loadExecutor = system.dispatchers().lookup(DispatcherSelector.fromConfig("compactor.load-dispatcher"));
            this.readExecutor = loadExecutor;
            this.compactionExecutor = system.dispatchers()
                    .lookup(DispatcherSelector.fromConfig("compactor.compaction-dispatcher"));
            this.readSlots = new java.util.concurrent.Semaphore(config.getInt(NodeKeys.MAX_CONCURRENT_READS));
            this.loader = new StreamLoader(engine, view, r.committer(), system.scheduler(), loadExecutor, metrics,
                    config.getInt(NodeKeys.MAX_CONCURRENT_LOADS),
                    () -> config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS));
            if (cluster.enabled()) {
                this.clusterCatalog = r.clusterCatalog();
                this.clusterServices = r.clusterServices();
                this.clusterReads = new io.compactor.actors.cluster.ClusterReads(system, clusterServices);
                loader.usePlacedWriter(new io.compactor.actors.cluster.ClusterLoadWriter(system, clusterServices));
                useReplicaPeers(new io.compactor.actors.cluster.ClusterReplicaPeers(clusterServices,
                        () -> config.get(NodeKeys.DOWNLOAD_TOKEN), system));
                this.clusterLoop = new io.compactor.actors.cluster.ClusterNodeLoop(system, clusterServices,
                        catalog);
                clusterLoop.start();
            }
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
        }
    }

    public CompactorConfig config() {
        return config;
    }

    public StorageEngine engine() {
        return engine;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public TabletStatsRegistry tabletStats() {
        return stats;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    // ---- cluster

    /** Whether this node runs in cluster mode ({@code cluster_enabled}). */
    public boolean clusterEnabled() {
        return cluster.enabled();
    }

    public ClusterSettings clusterSettings() {
        return cluster;
    }

    /**
     * Tells the node where its HTTP API is bound (the actual port when {@code webserver_port} is 0),
     * as {@link #nodeInfo()} and the other members report it.
     */
    public void advertiseHttp(String host, int port) {
        httpAddress.set(host + ":" + port);
    }

    /** This node's name in the cluster ({@code host:port} of its remoting), or {@code "local"} on a single node. */
    public String clusterSelf() {
        return clusterServices != null ? clusterServices.self() : "local";
    }

    /**
     * Cluster mode: the HTTP {@code host:port} of a reachable other node holding a replica of the
     * tablet (null when none, or when this node holds one, or outside cluster mode).
     */
    public String replicaHttpAddress(long tabletId) {
        if (clusterServices == null) {
            return null;
        }
        var live = clusterServices.nodes().live();
        for (TableMeta t : view.get().tables()) {
            for (String node : t.replicaNodes(tabletId)) {
                String http = clusterServices.nodes().http(node);
                if (!node.equals(clusterServices.self()) && live.contains(node) && http != null) {
                    return http;
                }
            }
        }
        return null;
    }

    /** This node's address ({@code "local"} in single-node mode), HTTP address, data dirs and tablet count. */
    public NodeInfo nodeInfo() {
        return nodeInfo(cluster.enabled() ? Cluster.get(system).selfMember().address().toString() : "local");
    }

    private NodeInfo nodeInfo(String address) {
        return new NodeInfo(address, httpAddress.get(), dataDirs, view.get().tablets().size());
    }

    /**
     * Every member of the cluster with what its node answered (cluster mode only; fails with
     * IllegalStateException otherwise). Completes within about twice {@link #CLUSTER_ASK_TIMEOUT}.
     */
    public CompletionStage<ClusterStatus> clusterStatus() {
        if (!cluster.enabled()) {
            return CompletableFuture.failedFuture(new IllegalStateException("cluster mode is off (cluster_enabled)"));
        }
        return ClusterQuery.gather(system, CLUSTER_ASK_TIMEOUT);
    }

    /** The current tables and tablet actors (immutable). */
    public CatalogView catalog() {
        return view.get();
    }

    // ---- tables

    /**
     * Creates a table. In cluster mode the cluster catalog places each tablet's replicas on
     * {@code replication_num} distinct live nodes and every node stores the table.
     */
    public CompletionStage<TableMeta> createTable(CreateTableSpec spec) {
        if (clusterCatalog != null) {
            return clusterDdl(r -> new io.compactor.actors.cluster.ClusterCatalog.Create(spec.db(), spec.name(),
                    io.compactor.storage.meta.MetaJson.encodeSchema(spec.schema()), spec.buckets(),
                    spec.replicationNum(), Map.copyOf(spec.properties()), r));
        }
        return ddl(replyTo -> new Catalog.CreateTable(spec, replyTo));
    }

    public CompletionStage<TableMeta> dropTable(String db, String name) {
        if (clusterCatalog != null) {
            return clusterDdl(r -> new io.compactor.actors.cluster.ClusterCatalog.Drop(db, name, r));
        }
        return ddl(replyTo -> new Catalog.DropTable(db, name, replyTo));
    }

    public CompletionStage<TableMeta> alterProperties(String db, String name, Map<String, String> changes) {
        if (clusterCatalog != null) {
            return clusterDdl(r -> new io.compactor.actors.cluster.ClusterCatalog.Alter(db, name, Map.copyOf(changes),
                    r));
        }
        return ddl(replyTo -> new Catalog.AlterProperties(db, name, changes, replyTo));
    }

    private CompletionStage<TableMeta> clusterDdl(org.apache.pekko.japi.function.Function<
            ActorRef<io.compactor.actors.cluster.ClusterCatalog.DdlReply>,
            io.compactor.actors.cluster.ClusterCatalog.Command> msg) {
        return AskPattern.ask(clusterCatalog, msg, DDL_TIMEOUT.plusSeconds(30), system.scheduler()).thenApply(r -> {
            if (!"OK".equals(r.code())) {
                throw new StatusException(r.code(), r.msg());
            }
            return io.compactor.storage.meta.MetaJson.decodeTable(r.table());
        });
    }

    private CompletionStage<TableMeta> ddl(
            org.apache.pekko.japi.function.Function<ActorRef<Catalog.DdlResult>, Catalog.Command> msg) {
        return AskPattern.ask(catalog, msg, DDL_TIMEOUT, system.scheduler()).thenApply(r -> {
            if (!r.status().ok()) {
                throw new StatusException(r.status());
            }
            return r.table();
        });
    }

    public TableMeta table(String db, String name) {
        return view.get().table(db, name);
    }

    public List<TableMeta> tables() {
        List<TableMeta> all = new ArrayList<>(view.get().tables());
        all.sort((a, b) -> Long.compare(a.tableId(), b.tableId()));
        return all;
    }

    // ---- loads

    /** Stream-loads {@code body}; never fails exceptionally (failures are {@code Status: Fail}). */
    public CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body, LoadOptions options,
                                                  String label) {
        return loader.load(db, table, body, options, label);
    }

    /** Whether all {@code max_concurrent_loads} slots are taken (a new load would be answered busy). */
    public boolean loadsSaturated() {
        return loader.saturated();
    }

    // ---- tablets

    private ActorRef<TabletActor.Command> tabletRef(long tabletId) {
        ActorRef<TabletActor.Command> ref = view.get().tablet(tabletId);
        if (ref == null) {
            throw new StatusException(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId);
        }
        return ref;
    }

    /** The tablet's current meta; fails with NOT_FOUND for an unknown tablet. */
    public CompletionStage<TabletMeta> tabletMeta(long tabletId) {
        try {
            return AskPattern.ask(tabletRef(tabletId), TabletActor.GetMeta::new, DDL_TIMEOUT, system.scheduler());
        } catch (StatusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Asks a tablet to remove now the stale rowsets whose time is up and that no reader holds (it
     * also does so every 10 s on its own). Ordered before any later request to the same tablet.
     */
    public void sweepStaleRowsets(long tabletId) {
        tabletRef(tabletId).tell(TabletActor.SweepStale.INSTANCE);
    }

    /** A read snapshot of the tablet; the caller must close it. */
    public CompletionStage<TabletSnapshot> snapshot(long tabletId) {
        try {
            return AskPattern.ask(tabletRef(tabletId), TabletActor.GetSnapshot::new, DDL_TIMEOUT, system.scheduler());
        } catch (StatusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- reads (merged view, for verification)

    /** Rows in the table's merged view (UNIQUE_KEYS: one per key). */
    public CompletionStage<Long> count(String db, String table) {
        TableMeta placed = placed(db, table);
        if (placed != null) {
            return bounded(() -> clusterReads.count(placed));
        }
        return bounded(() -> withSnapshots(db, table, (t, snaps) -> TabletReader.count(t.schema(), snaps)));
    }

    /** The table if it is replicated over cluster nodes (read through its replicas), else null. */
    private TableMeta placed(String db, String table) {
        TableMeta t = view.get().table(db, table);
        return t != null && t.isPlaced() && clusterReads != null ? t : null;
    }

    /**
     * Runs a read if a read slot is free ({@code max_concurrent_reads}), else fails at once with a
     * busy status: reads queue without bound nowhere.
     */
    private <T> CompletionStage<T> bounded(java.util.function.Supplier<CompletionStage<T>> read) {
        if (!readSlots.tryAcquire()) {
            return CompletableFuture.failedFuture(new StatusException(Status.BUSY, "too many concurrent reads "
                    + "(max_concurrent_reads=" + config.get(NodeKeys.MAX_CONCURRENT_READS) + "), try again later"));
        }
        try {
            return read.get().whenComplete((v, e) -> readSlots.release());
        } catch (RuntimeException e) {
            readSlots.release();
            throw e;
        }
    }

    /** Up to {@code limit} rows of the merged view in key order. */
    public CompletionStage<RowBatch> scan(String db, String table, long limit) {
        TableMeta placed = placed(db, table);
        if (placed != null) {
            return bounded(() -> clusterReads.scan(placed, limit));
        }
        return bounded(() -> withSnapshots(db, table, (t, snaps) -> TabletReader.scan(t.schema(), snaps, limit)));
    }

    /**
     * The row whose key columns equal {@code key} (column name to text value), or an empty batch.
     * Fails with INVALID_ARGUMENT when a key column is missing or does not parse.
     */
    public CompletionStage<RowBatch> get(String db, String table, Map<String, String> key) {
        TableMeta t = view.get().table(db, table);
        if (t == null) {
            return CompletableFuture.failedFuture(unknownTable(db, table));
        }
        RowBatch keyRow;
        try {
            keyRow = KeyParser.parse(t.schema(), key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new StatusException("INVALID_ARGUMENT", e.getMessage()));
        }
        if (t.isPlaced() && clusterReads != null) {
            return bounded(() -> clusterReads.get(t, keyRow));
        }
        long tabletId = t.tabletFor(keyRow.keyHash(0));
        return bounded(() -> snapshot(tabletId).thenApplyAsync(snap -> {
            try (snap) {
                return TabletReader.get(t.schema(), snap, keyRow, engine.primaryKeys());
            } catch (java.io.IOException e) {
                engine.badTablets().markIfCorrupt(e);
                throw new java.io.UncheckedIOException(e);
            }
        }, readExecutor));
    }

    private static StatusException unknownTable(String db, String table) {
        return new StatusException(Status.NOT_FOUND, "Unknown table '" + table + "' in database '" + db + "'");
    }

    @FunctionalInterface
    private interface SnapshotRead<T> {
        T read(TableMeta table, List<TabletSnapshot> snapshots) throws java.io.IOException;
    }

    private <T> CompletionStage<T> withSnapshots(String db, String table, SnapshotRead<T> read) {
        TableMeta t = view.get().table(db, table);
        if (t == null) {
            return CompletableFuture.failedFuture(unknownTable(db, table));
        }
        List<CompletableFuture<TabletSnapshot>> futures = new ArrayList<>();
        for (long id : t.tabletIds()) {
            futures.add(snapshot(id).toCompletableFuture());
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).handle((ok, err) -> {
            List<TabletSnapshot> snaps = new ArrayList<>();
            for (CompletableFuture<TabletSnapshot> f : futures) {
                if (!f.isCompletedExceptionally()) {
                    snaps.add(f.join());
                }
            }
            if (err != null) {
                snaps.forEach(TabletSnapshot::close);
                throw new java.util.concurrent.CompletionException(err);
            }
            return snaps;
        }).thenApplyAsync(snaps -> {
            try {
                // Fault injection: hold the read (and its slot) while the point is set.
                while (engine.debugPoints().hit("read.block")) {
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
                }
                return read.read(t, snaps);
            } catch (java.io.IOException e) {
                engine.badTablets().markIfCorrupt(e);
                throw new java.io.UncheckedIOException(e);
            } finally {
                snaps.forEach(TabletSnapshot::close);
            }
        }, readExecutor);
    }

    // ---- compaction

    /** Time a manual trigger waits for its task before answering success (Doris: 2 s). */
    public static final Duration MANUAL_WAIT = Duration.ofSeconds(2);

    /**
     * Requests a compaction of one tablet ahead of automatic ones, under the same limits. Completes
     * with the task's status if it ended within {@link #MANUAL_WAIT}, else with OK (it keeps
     * running), or with ALREADY_EXIST / NOT_FOUND at once.
     */
    public CompletionStage<Status> runCompaction(long tabletId, CompactionType type, String trigger) {
        if (view.get().tablet(tabletId) == null) {
            return CompletableFuture.completedFuture(new Status(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId));
        }
        return AskPattern.<CompactionSupervisor.Command, Status>ask(supervisor,
                        replyTo -> new CompactionSupervisor.Submit(tabletId, type, trigger, true, replyTo), MANUAL_WAIT,
                        system.scheduler())
                .exceptionally(err -> Status.OK);
    }

    /**
     * Submits a compaction without waiting for it: completes at once with OK, ALREADY_EXIST or
     * NOT_FOUND (Doris's table_id path).
     */
    public CompletionStage<Status> submitCompaction(long tabletId, CompactionType type, String trigger) {
        if (view.get().tablet(tabletId) == null) {
            return CompletableFuture.completedFuture(new Status(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId));
        }
        return AskPattern.<CompactionSupervisor.Command, Status>ask(supervisor,
                replyTo -> new CompactionSupervisor.Submit(tabletId, type, trigger, false, replyTo), DDL_TIMEOUT,
                system.scheduler());
    }

    /** Submits a compaction and completes only when the task ended (for tests and scripts). */
    public CompletionStage<Status> runCompactionAndWait(long tabletId, CompactionType type, Duration timeout) {
        return AskPattern.ask(supervisor,
                replyTo -> new CompactionSupervisor.Submit(tabletId, type, "MANUAL", true, replyTo), timeout,
                system.scheduler());
    }

    /** The tablet's compaction state for show / run_status. */
    public CompletionStage<TabletCompactionStatus> compactionStatus(long tabletId) {
        try {
            return AskPattern.ask(tabletRef(tabletId), TabletActor.GetCompactionStatus::new, DDL_TIMEOUT,
                    system.scheduler());
        } catch (StatusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Queued and running compactions: kind -> data dir -> tablet ids. */
    public CompletionStage<CompactionSupervisor.Registry> compactionRegistry() {
        return AskPattern.ask(supervisor, CompactionSupervisor.GetRegistry::new, DDL_TIMEOUT, system.scheduler());
    }

    /** Failure back-off and quarantine state of a tablet's compactions. */
    public CompletionStage<List<FailureTracker.FailureState>> compactionFailures(long tabletId) {
        return AskPattern.ask(supervisor, replyTo -> new CompactionSupervisor.GetFailures(tabletId, replyTo),
                DDL_TIMEOUT, system.scheduler());
    }

    /** A merge-on-write tablet's delete-bitmap figures (zeros for other tablets). */
    public CompletionStage<TabletActor.DeleteBitmapInfo> deleteBitmapInfo(long tabletId) {
        try {
            return AskPattern.ask(tabletRef(tabletId), TabletActor.GetDeleteBitmap::new, DDL_TIMEOUT,
                    system.scheduler());
        } catch (StatusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The full check of a tablet: visible rows, keys visible more than once, and whether the
     * stored delete bitmap equals a fresh recomputation (always true without a bitmap).
     */
    public CompletionStage<MowChecker.Result> checkTablet(long tabletId) {
        TableMeta t = view.get().tableOf(tabletId);
        if (t == null) {
            return CompletableFuture.failedFuture(
                    new StatusException(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId));
        }
        return bounded(() -> snapshot(tabletId).thenApplyAsync(snap -> {
            try (snap) {
                if (snap.isMergeOnWrite()) {
                    return MowChecker.check(snap.dataDir(), tabletId, t.schema(), snap.meta().rowsets(), snap.deleted());
                }
                var noBitmap = java.util.Map.<io.compactor.storage.mow.SegmentKey, org.roaringbitmap.RoaringBitmap>of();
                MowChecker.Result r = MowChecker.check(snap.dataDir(), tabletId, t.schema(), snap.meta().rowsets(),
                        noBitmap);
                return new MowChecker.Result(r.rows(), r.duplicateKeys(), 0, true);
            } catch (java.io.IOException e) {
                engine.badTablets().markIfCorrupt(e);
                throw new java.io.UncheckedIOException(e);
            }
        }, readExecutor));
    }

    /**
     * Doris's {@code check_tablet_segment_lost}: every visible segment file exists and passes its
     * checksums; with {@code repair} damaged tablets are marked bad (and whole ones cleared).
     */
    public CompletionStage<SegmentLossCheck.Result> checkTabletSegmentLost(boolean repair) {
        return SegmentLossCheck.run(this, repair, readExecutor);
    }

    /** Cluster mode: brings this node's replica of a tablet up to a peer's version (by copying rowsets). */
    private CompletionStage<Long> catchUpReplica(long tabletId, ReplicaPeers.Replica peer) {
        return catchUpFrom(tabletId, peer).thenApply(r -> r.versionAfter());
    }

    // ---- peer replicas: single-replica compaction and catch-up

    /**
     * Installs who holds the replicas of each tablet (embedding hook; the cluster layer calls it with
     * its placement-backed implementation). {@link ReplicaPeers#NONE} (the default) means no peers:
     * every tablet compacts locally. {@code replicas(tabletId)} is asked often (at every scheduling
     * decision of a single-replica tablet), so it must be cheap and must not block.
     */
    public void useReplicaPeers(ReplicaPeers peers) {
        peerSync.use(peers);
    }

    /** The peers in use ({@link ReplicaPeers#NONE} until {@link #useReplicaPeers} is called). */
    public ReplicaPeers replicaPeers() {
        return peerSync.peers();
    }

    /**
     * Whether this node's replica of the tablet is a single-replica follower now: its table has
     * {@code enable_single_replica_compaction} and the designated replica (Doris's smallest hash
     * among member replicas) is another node's.
     */
    public boolean isSingleReplicaFollower(long tabletId) {
        TableMeta t = view.get().tableOf(tabletId);
        return t != null && t.properties().enableSingleReplicaCompaction() && peerSync.isFollower(tabletId);
    }

    /**
     * A manual single-replica compaction ({@code remote=true}): fetch from the designated peer under
     * the same limits as automatic ones. Completes like {@link #runCompaction}; a tablet that is not
     * a follower answers NOT_IMPLEMENTED_ERROR "tablet should do compaction locally" (Doris's text).
     */
    public CompletionStage<Status> runSingleReplicaCompaction(long tabletId, String trigger) {
        if (view.get().tablet(tabletId) == null) {
            return CompletableFuture.completedFuture(new Status(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId));
        }
        if (!isSingleReplicaFollower(tabletId)) {
            return CompletableFuture.completedFuture(new Status(Status.NOT_IMPLEMENTED_ERROR,
                    "tablet should do compaction locally"));
        }
        return AskPattern.<CompactionSupervisor.Command, Status>ask(supervisor,
                        replyTo -> new CompactionSupervisor.SubmitSingleReplica(tabletId, trigger, true, replyTo),
                        MANUAL_WAIT, system.scheduler())
                .exceptionally(err -> Status.OK);
    }

    /**
     * Makes this node's replica of a tablet reach the peer's end version: asks the peer for its
     * rowsets, plans the smallest suffix to copy ({@link ReplicaVersions#catchUp}), downloads and
     * verifies the files, and installs them atomically in place of the local rowsets they cover
     * (merge-on-write: with the delete bitmap recomputed for the new chain). Completes with what it
     * did (nothing when not behind), or fails with a {@link StatusException} (NOT_FOUND, a refused
     * install when the tablet changed meanwhile — retry —, or an IO failure naming file and peer);
     * a failure leaves the tablet as it was and no file behind.
     */
    public CompletionStage<CatchUpResult> catchUpFrom(long tabletId, ReplicaPeers.Replica peer) {
        TableMeta t = view.get().tableOf(tabletId);
        ActorRef<TabletActor.Command> tablet = view.get().tablet(tabletId);
        if (t == null || tablet == null) {
            return CompletableFuture.failedFuture(
                    new StatusException(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId));
        }
        String address = peer.httpAddress();
        String token = peerSync.peers().downloadToken();
        return snapshot(tabletId).thenComposeAsync(snap -> {
            List<RowsetMeta> local = snap.meta().rowsets();
            long before = snap.meta().maxVersion();
            List<RowsetMeta> installed = List.of();
            try {
                PeerRowsets theirs = peerSync.fetcher().listRowsets(address, token, tabletId);
                ReplicaVersions.CatchUpPlan plan = ReplicaVersions.catchUp(
                        local.stream().map(RowsetMeta::version).toList(), theirs.versions());
                if (plan.isEmpty()) {
                    snap.close();
                    return CompletableFuture.completedFuture(new CatchUpResult(tabletId, address, before, before,
                            0, 0, 0));
                }
                List<RowsetMeta> replaced = local.stream().filter(r -> plan.replaced().contains(r.version())).toList();
                List<RowsetMeta> wanted = plan.fetch().stream().map(theirs::rowset).toList();
                PeerRowsetFetcher.Fetched fetched = peerSync.fetcher().fetch(address, token, tabletId, wanted,
                        snap.dataDir(), t.schema(), engine::nextRowsetId);
                installed = fetched.rowsets();
                DeleteBitmap bitmap = null;
                List<RowsetMeta> expected = null;
                if (t.isMergeOnWrite()) {
                    List<RowsetMeta> chain = new ArrayList<>(local);
                    chain.removeAll(replaced);
                    chain.addAll(installed);
                    bitmap = new DeleteBitmapCalculator(snap.dataDir(), tabletId, t.schema(), engine.primaryKeys())
                            .recompute(chain);
                    expected = local;
                }
                DeleteBitmap b = bitmap;
                List<RowsetMeta> e = expected;
                List<RowsetMeta> inst = installed;
                return AskPattern.<TabletActor.Command, TabletActor.InstallResult>ask(tablet,
                                replyTo -> new TabletActor.InstallPeerRowsets(replaced, inst, e, b,
                                        theirs.cumulativePoint(), "catch-up from " + address, replyTo),
                                DDL_TIMEOUT, system.scheduler())
                        .thenApply(r -> {
                            if (!r.status().ok()) {
                                throw new StatusException(r.status());
                            }
                            return new CatchUpResult(tabletId, address, before, r.meta().maxVersion(), inst.size(),
                                    replaced.size(), fetched.bytes());
                        })
                        .whenComplete((r, err) -> snap.close());
            } catch (java.io.IOException | RuntimeException e) {
                snap.close();
                for (RowsetMeta r : installed) {
                    try {
                        snap.dataDir().deleteRowsetFiles(tabletId, r.rowsetId(), r.numSegments());
                    } catch (java.io.IOException ignored) {
                        // an orphan: swept at the next start
                    }
                }
                return CompletableFuture.failedFuture(e instanceof StatusException ? e
                        : new StatusException(new Status(Status.INTERNAL_ERROR, "catch-up of tablet " + tabletId
                        + " from " + address + " failed: " + e.getMessage()), e));
            }
        }, compactionExecutor);
    }

    public CompactionProfiles compactionProfiles() {
        return profiles;
    }

    /**
     * Stops the actors (in-flight work aborts; nothing half-committed) and closes the storage. In
     * cluster mode terminating runs Pekko's coordinated shutdown, whose cluster phases leave the
     * cluster gracefully first (the others see the node removed, not unreachable); each phase is
     * bounded by its timeout, so this does not hang on an unresponsive cluster.
     */
    @Override
    public void close() {
        if (clusterLoop != null) {
            clusterLoop.stop();
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // fall through: storage must be closed either way
        }
        engine.close();
    }
}
