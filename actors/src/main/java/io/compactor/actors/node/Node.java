package io.compactor.actors.node;

import com.typesafe.config.Config;
import io.compactor.actors.catalog.Catalog;
import io.compactor.actors.catalog.CatalogView;
import io.compactor.actors.cluster.ClusterDdl;
import io.compactor.actors.cluster.ClusterConfigBuilder;
import io.compactor.actors.cluster.ClusterKeys;
import io.compactor.actors.cluster.ClusterLoadWriter;
import io.compactor.actors.cluster.ClusterNodeLoop;
import io.compactor.actors.cluster.ClusterReads;
import io.compactor.actors.cluster.ClusterReplicaPeers;
import io.compactor.actors.cluster.ClusterServices;
import io.compactor.actors.cluster.ClusterSettings;
import io.compactor.actors.cluster.ClusterWiring;
import io.compactor.actors.cluster.NodeBook;
import io.compactor.actors.cluster.NodeDirectory;
import io.compactor.actors.cluster.TxnPublisher;
import io.compactor.actors.metalog.MetaLog;
import io.compactor.actors.compaction.CompactionProfiles;
import io.compactor.actors.compaction.CompactionSupervisor;
import io.compactor.actors.compaction.RunningCompactions;
import io.compactor.actors.load.LoadCommitter;
import io.compactor.actors.load.GroupCommitter;
import io.compactor.actors.load.StreamLoader;
import io.compactor.actors.replica.PeerSync;
import io.compactor.actors.segcompaction.SegcompactionActor;
import io.compactor.actors.segcompaction.SegcompactionService;
import io.compactor.actors.tablet.CompactionEnv;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletStatsRegistry;
import io.compactor.api.Compaction;
import io.compactor.api.Loads;
import io.compactor.api.Membership;
import io.compactor.api.NodeInfo;
import io.compactor.api.NodeKeys;
import io.compactor.api.NodeMetrics;
import io.compactor.api.Ops;
import io.compactor.api.Reads;
import io.compactor.api.Tables;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.config.SchedulerKeys;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.ConfigKey;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.peer.PeerRowsetFetcher;
import io.compactor.storage.util.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A running node's wiring behind the embedding facade: opens the storage, starts the actor system
 * with the node's actors (catalog, compaction supervisor, segment compaction, load committer and,
 * in cluster mode, the cluster's services), and hands the facade its handles. Not part of the
 * embedding API: the facade's {@code unwrap(Node.class)} gives it to this repository's tests and
 * tools.
 */
public final class Node implements AutoCloseable {
    /** The actor system's name: the same on every node, as Pekko Cluster requires. */
    public static final String SYSTEM_NAME = "compactor";
    /** Timeout of each request to a peer replica (its rowsets, each file). */
    public static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

    final CompactorConfig config;
    final StorageEngine engine;
    final ActorSystem<Void> system;
    final AtomicReference<CatalogView> view = new AtomicReference<>(CatalogView.EMPTY);
    final AtomicReference<MetaLog> metaLog = new AtomicReference<>();
    final NodeMetrics metrics = new NodeMetrics();
    final TabletStatsRegistry stats = new TabletStatsRegistry();
    final CompactionProfiles profiles = new CompactionProfiles();
    final RunningCompactions running = new RunningCompactions();
    final PeerSync peerSync;
    final ClusterSettings cluster;
    /** host:port of the HTTP API as bound (the configured one until a server binds). */
    final AtomicReference<String> httpAddress;
    final List<String> dataDirs;
    final AtomicReference<CompactionConfig> compactionConfig;
    final ActorRef<Catalog.Command> catalog;
    final ActorRef<CompactionSupervisor.Command> supervisor;
    final StreamLoader loader;
    final GroupCommitter groupCommitter;
    private final java.util.concurrent.ScheduledExecutorService groupCommitTimer;
    final Executor readExecutor;
    /** Cluster mode only (else null): the cluster's DDL, services, reads, housekeeping and meta log. */
    final ClusterDdl clusterDdl;
    final ClusterServices clusterServices;
    final ClusterReads clusterReads;
    private final ClusterNodeLoop clusterLoop;

    private final Tables tables;
    private final Loads loads;
    private final Reads reads;
    private final Compaction compaction;
    private final Membership membership;
    private final Ops ops;

    private record Refs(ActorRef<Catalog.Command> catalog, ActorRef<LoadCommitter.Command> committer,
                        ActorRef<CompactionSupervisor.Command> supervisor, ClusterServices clusterServices) {
    }

    /** Every configuration key the node knows, by module. */
    public static List<List<ConfigKey<?>>> configKeys() {
        return List.of(StorageKeys.ALL, SchedulerKeys.ALL, NodeKeys.ALL, ClusterKeys.ALL);
    }

    /**
     * Opens the storage (recovering from the meta store) and starts the node.
     *
     * @throws IllegalArgumentException naming the key when a setting is invalid
     */
    public static Node start(Config config, Clock clock) {
        if (!io.compactor.storage.util.CommonPool.effective()) {
            org.slf4j.LoggerFactory.getLogger(Node.class).warn("the common fork-join pool has parallelism {}: "
                    + "CompletableFuture starts a thread per async task; set -D{}={} before start-up",
                    java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
                    io.compactor.storage.util.CommonPool.PROPERTY, io.compactor.storage.util.CommonPool.PARALLELISM);
        }
        Config resolved = ConfigAliases.apply(config.resolve());
        CompactorConfig cfg = CompactorConfig.load(resolved, configKeys());
        io.compactor.storage.config.CustomConfigFile.apply(cfg); // Doris's be_custom.conf (update_config persist=true)
        StorageEngine engine = StorageEngine.open(cfg, clock);
        try {
            return new Node(cfg, engine, resolved);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    private Node(CompactorConfig config, StorageEngine engine, Config raw) {
        this.config = config;
        this.engine = engine;
        this.compactionConfig = new AtomicReference<>(SchedulerKeys.compactionConfig(config));
        this.cluster = ClusterSettings.from(config);
        this.httpAddress = new AtomicReference<>(
                config.get(NodeKeys.WEBSERVER_HOST) + ":" + config.getInt(NodeKeys.WEBSERVER_PORT));
        this.dataDirs = engine.dataDirs().stream().map(d -> d.path()).toList();
        this.peerSync = new PeerSync(new PeerRowsetFetcher(PEER_TIMEOUT, engine.debugPoints(), metrics.peerFetch));
        CompletableFuture<Refs> refs = new CompletableFuture<>();
        CompletableFuture<Void> catalogReady = new CompletableFuture<>();
        Config pekkoConfig = SegcompactionActor.dispatcherConfig(
                config.getInt(StorageKeys.SEGCOMPACTION_NUM_THREADS)).withFallback(raw);
        if (cluster.enabled()) {
            pekkoConfig = ClusterConfigBuilder.build(SYSTEM_NAME, cluster).withFallback(pekkoConfig);
        }
        this.system = ActorSystem.create(guardian(refs, catalogReady), SYSTEM_NAME, pekkoConfig);
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
            Executor loadExecutor = dispatcher("compactor.load-dispatcher");
            this.readExecutor = loadExecutor;
            this.loader = new StreamLoader(engine, view, r.committer(), system.scheduler(), loadExecutor, metrics,
                    config.getInt(NodeKeys.MAX_CONCURRENT_LOADS), () -> config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS));
            this.groupCommitTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(t -> {
                Thread th = new Thread(t, "group-commit-timer");
                th.setDaemon(true);
                return th;
            });
            var walRoot = engine.dataDirs().get(0);
            this.groupCommitter = new GroupCommitter(view, loader.localWriter(), walRoot.root().resolve("wal"),
                    metrics, engine.clock(), () -> NodeKeys.walLimitBytes(
                            config.get(NodeKeys.GROUP_COMMIT_WAL_MAX_DISK_LIMIT), walRoot.capacityBytes()),
                    () -> config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS), engine::nextTxnId, loadExecutor,
                    groupCommitTimer);
            loader.useGroupCommitter(groupCommitter);
            groupCommitter.recover(h -> engine.meta().findLabel(h.db(), h.label()).isPresent());
            this.clusterServices = r.clusterServices();
            this.membership = new NodeMembership(this);
            if (cluster.enabled()) {
                this.clusterReads = new ClusterReads(system, clusterServices);
                this.clusterDdl = new ClusterDdl(system, clusterServices);
                var publisher = new TxnPublisher(system, clusterServices);
                loader.usePlacedWriter(new ClusterLoadWriter(system, clusterServices, publisher));
                membership.useReplicaPeers(new ClusterReplicaPeers(clusterServices,
                        () -> config.get(NodeKeys.DOWNLOAD_TOKEN), system));
                this.clusterLoop = new ClusterNodeLoop(system, clusterServices, catalog, publisher,
                        () -> Duration.ofSeconds(config.getInt(ClusterKeys.CLUSTER_REPLACE_AFTER_SECONDS)));
                clusterLoop.start();
            } else {
                this.clusterReads = null;
                this.clusterDdl = null;
                this.clusterLoop = null;
            }
        } catch (Exception e) {
            system.terminate();
            if (metaLog.get() != null) {
                metaLog.get().close();
            }
            throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
        }
        this.tables = new NodeTables(this);
        this.loads = new NodeLoads(this);
        this.reads = new NodeReads(this);
        this.compaction = new NodeCompaction(this);
        this.ops = new NodeOps(this);
    }

    /** The root behaviour: spawns the node's actors and hands their refs out through {@code refs}. */
    private Behavior<Void> guardian(CompletableFuture<Refs> refs, CompletableFuture<Void> catalogReady) {
        return Behaviors.setup(ctx -> {
            var dispatchers = ctx.getSystem().dispatchers();
            Executor loadExecutor = dispatchers.lookup(DispatcherSelector.fromConfig("compactor.load-dispatcher"));
            Executor compactionExecutor = dispatchers.lookup(
                    DispatcherSelector.fromConfig("compactor.compaction-dispatcher"));
            ActorRef<CompactionSupervisor.Command> sup = ctx.spawn(CompactionSupervisor.create(compactionConfig::get,
                    () -> config.get(SchedulerKeys.DISABLE_AUTO_COMPACTION), engine.clock(), metrics, dataDirs,
                    Runtime.getRuntime().availableProcessors(), peerSync::isFollower, running),
                    "compaction-supervisor");
            var segcompactionActor = ctx.spawn(SegcompactionActor.create(
                    dispatchers.lookup(DispatcherSelector.fromConfig(SegcompactionActor.DISPATCHER)), metrics),
                    "segment-compaction");
            SegcompactionService segcompaction = new SegcompactionService(segcompactionActor, engine,
                    () -> Duration.ofSeconds(config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS)));
            CompactionEnv env = new CompactionEnv(sup, compactionExecutor, profiles, compactionConfig::get,
                    segcompaction, peerSync);
            Catalog.TabletFactory factory = (table, meta) -> Behaviors.setup(
                    c -> TabletActor.create(engine, table, meta.get(), metrics, stats, loadExecutor, env));
            ActorRef<Catalog.Command> cat = ctx.spawn(Catalog.create(engine, stats, view, factory, catalogReady),
                    "catalog");
            ActorRef<LoadCommitter.Command> committer = ctx.spawn(LoadCommitter.create(engine), "load-committer",
                    DispatcherSelector.fromConfig("compactor.tablet-dispatcher"));
            ClusterServices services = null;
            if (cluster.enabled()) {
                String self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
                var book = new NodeBook(ctx.getSystem());
                MetaLog log = startMetaLog((Integer) Cluster.get(ctx.getSystem()).selfMember().address().port().get());
                metaLog.set(log);
                services = new ClusterServices(book.self(), engine, view, loadExecutor,
                        (tabletId, peer, whole) -> ((NodeMembership) membership).catchUpFrom(tabletId, peer, whole)
                                .thenApply(r -> r.versionAfter()),
                        () -> Duration.ofSeconds(config.getInt(NodeKeys.LOAD_TIMEOUT_SECONDS)), book,
                        tabletId -> sup.tell(new CompactionSupervisor.PeerCompacted(tabletId)), log);
                ctx.spawn(NodeDirectory.create(() -> nodeInfo(self), cat, view, book.self()), "node-directory");
                ClusterWiring.init(ctx.getSystem(), services);
            }
            refs.complete(new Refs(cat, committer, sup, services));
            return Behaviors.empty();
        });
    }

    /** This node's part of the meta log: a voter if its Raft address is one of the voters', else a client. */
    private MetaLog startMetaLog(int boundClusterPort) {
        var voters = cluster.voters(boundClusterPort).stream().map(v -> new MetaLog.Peer(v.host(), v.port())).toList();
        var self = new MetaLog.Peer(cluster.host(), cluster.selfMetaPort(boundClusterPort));
        var dir = java.nio.file.Path.of(engine.dataDirs().get(0).path()).resolve("meta_log");
        try {
            return MetaLog.start(new MetaLog.Settings(voters, voters.contains(self) ? self : null, dir,
                    cluster.metaSnapshotEntries(), Duration.ofMillis(cluster.metaElectionMs())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the meta log failed to start: " + e.getMessage(), e);
        }
    }

    Executor dispatcher(String path) {
        return system.dispatchers().lookup(DispatcherSelector.fromConfig(path));
    }

    NodeInfo nodeInfo(String address) {
        return new NodeInfo(address, httpAddress.get(), dataDirs, view.get().tablets().size());
    }

    /** The local replica's actor, or a NOT_FOUND failure. */
    ActorRef<TabletActor.Command> tabletRef(long tabletId) {
        ActorRef<TabletActor.Command> ref = view.get().tablet(tabletId);
        if (ref == null) {
            throw Status.tabletNotFound(tabletId).asException();
        }
        return ref;
    }

    public Tables tables() {
        return tables;
    }

    public Loads loads() {
        return loads;
    }

    public Reads reads() {
        return reads;
    }

    public Compaction compaction() {
        return compaction;
    }

    public Membership membership() {
        return membership;
    }

    public Ops ops() {
        return ops;
    }

    /** The storage engine (for this repository's tests and tools). */
    public StorageEngine engine() {
        return engine;
    }

    /** The actor system (for this repository's tests and tools). */
    public ActorSystem<Void> system() {
        return system;
    }

    /** The granted compactions with their live progress objects (for this repository's tests and tools). */
    public RunningCompactions runningCompactions() {
        return running;
    }

    /** The current tables and tablet actors (for this repository's tests and tools). */
    public CatalogView catalog() {
        return view.get();
    }

    /**
     * Stops the actors (in-flight work aborts; nothing half-committed) and closes the storage. In
     * cluster mode terminating runs Pekko's coordinated shutdown, whose cluster phases leave the
     * cluster gracefully first; each phase is bounded by its timeout.
     */
    @Override
    public void close() {
        if (clusterLoop != null) {
            clusterLoop.stop();
        }
        groupCommitter.close();
        groupCommitTimer.shutdownNow();
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // fall through: storage must be closed either way
        }
        if (metaLog.get() != null) {
            metaLog.get().close();
        }
        engine.close();
    }
}
