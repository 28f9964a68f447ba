package io.compactor.actors.tablet;

import io.compactor.scheduler.policy.CumulativePoints;
import io.compactor.scheduler.replica.ReplicaVersions;
import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.peer.PeerRowsetFetcher;
import io.compactor.storage.peer.PeerRowsets;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import io.compactor.api.NodeMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Copies rowsets from a peer replica into this tablet. One implementation serves both uses:
 * single-replica compaction (fetch the designated replica's output that replaces local rowsets,
 * Doris's {@code _find_rowset_to_fetch}) and catch-up (copy the smallest suffix of the peer's chain
 * that lines up with ours). Two halves: {@link #fetch} runs off the actor (list, plan, download and
 * verify the files, recompute a merge-on-write tablet's bitmap for the new chain); {@link #install}
 * runs on the actor and commits only if what it replaces is still current (consistency rule 3 of
 * docs/DESIGN.md). Files first, meta second: a failure at any point leaves no file behind.
 */
final class PeerRowsetSync {
    private PeerRowsetSync() {
    }

    /** Why rowsets are copied, which decides what is copied. */
    enum Purpose {
        /** A follower takes the designated replica's compaction output. */
        SINGLE_REPLICA,
        /** A lagging replica reaches the peer's end version. */
        CATCH_UP,
        /** A bad replica (content disagreeing with the meta log, or a new one) takes the peer's whole chain. */
        CLONE
    }

    /**
     * The content identity the meta log expects of a rowset holding versions {@code [from-to]} of a
     * tablet; empty when nothing records it (single node), which skips the check.
     */
    @FunctionalInterface
    interface Identities {
        java.util.OptionalLong of(long tabletId, long from, long to);

        Identities NONE = (t, f, to) -> java.util.OptionalLong.empty();
    }

    /**
     * Refuses peer rowsets whose content identity is not what the meta log recorded for their
     * versions: a peer that disagrees with the log is never copied from, whatever its version numbers.
     */
    static void verify(Identities ids, long tabletId, String peer, List<RowsetMeta> theirs) {
        for (RowsetMeta r : theirs) {
            var want = ids.of(tabletId, r.startVersion(), r.endVersion());
            if (want.isPresent() && want.getAsLong() != r.contentId()) {
                throw new StatusException(StatusCode.CORRUPTION, "tablet " + tabletId + ": peer " + peer
                        + "'s rowset " + r.version() + " has content identity " + Long.toHexString(r.contentId())
                        + ", the meta log recorded " + Long.toHexString(want.getAsLong())
                        + " for those versions; not copied");
            }
        }
    }

    /** Where peer rowsets come from (a peer's HTTP endpoints; tests copy from a local directory). */
    interface PeerSource {
        /** {@code host:port}, for messages. */
        String name();

        PeerRowsets list(long tabletId) throws IOException;

        /** Downloads and verifies {@code wanted} into {@code dir} under new ids; leaves nothing on failure. */
        PeerRowsetFetcher.Fetched download(long tabletId, List<RowsetMeta> wanted, DataDir dir, Schema schema,
                                           Supplier<RowsetId> ids) throws IOException;

        static PeerSource http(PeerRowsetFetcher fetcher, String address, String token) {
            return new PeerSource() {
                @Override
                public String name() {
                    return address;
                }

                @Override
                public PeerRowsets list(long tabletId) throws IOException {
                    return fetcher.listRowsets(address, token, tabletId);
                }

                @Override
                public PeerRowsetFetcher.Fetched download(long tabletId, List<RowsetMeta> wanted, DataDir dir,
                                                          Schema schema, Supplier<RowsetId> ids) throws IOException {
                    return fetcher.fetch(address, token, tabletId, wanted, dir, schema, ids);
                }
            };
        }
    }

    /**
     * What a fetch brought: files written, nothing installed yet.
     *
     * @param replaced        local rowsets the fetched ones replace
     * @param installed       the fetched rowsets under their new local ids
     * @param expectedVisible merge-on-write: the chain {@code bitmap} was computed from (install
     *                        refuses if it changed); null otherwise
     * @param bitmap          merge-on-write: the delete bitmap of the resulting chain; null otherwise
     */
    record Fetch(List<RowsetMeta> replaced, List<RowsetMeta> installed, long bytes, long peerCumulativePoint,
                 List<RowsetMeta> expectedVisible, DeleteBitmap bitmap, boolean wholeChain) {
        Fetch(List<RowsetMeta> replaced, List<RowsetMeta> installed, long bytes, long peerCumulativePoint,
              List<RowsetMeta> expectedVisible, DeleteBitmap bitmap) {
            this(replaced, installed, bytes, peerCumulativePoint, expectedVisible, bitmap, false);
        }

        static Fetch nothing() {
            return new Fetch(List.of(), List.of(), 0, -1, null, null);
        }

        Fetch asWholeChain() {
            return new Fetch(replaced, installed, bytes, peerCumulativePoint, expectedVisible, bitmap, true);
        }

        boolean isEmpty() {
            return installed.isEmpty();
        }
    }

    /**
     * Lists the peer's rowsets, plans what to copy for {@code purpose}, downloads and verifies it.
     * Single-replica: CANCELLED (Doris's "no matched versions") when nothing lines up; catch-up: an
     * empty fetch when this replica is not behind.
     *
     * @param local      the tablet's visible rowsets (held by the caller, so their files stay)
     * @param calculator merge-on-write: computes the new chain's bitmap; null for other tablets
     */
    static Fetch fetch(Purpose purpose, PeerSource peer, long tabletId, List<RowsetMeta> local, DataDir dir,
                       Schema schema, DeleteBitmapCalculator calculator, Supplier<RowsetId> ids) throws IOException {
        return fetch(purpose, peer, tabletId, local, dir, schema, calculator, ids, Identities.NONE);
    }

    static Fetch fetch(Purpose purpose, PeerSource peer, long tabletId, List<RowsetMeta> local, DataDir dir,
                       Schema schema, DeleteBitmapCalculator calculator, Supplier<RowsetId> ids, Identities identities)
            throws IOException {
        PeerRowsets theirs = peer.list(tabletId);
        List<Version> localVersions = local.stream().map(RowsetMeta::version).toList();
        List<Version> replacedVersions = new ArrayList<>();
        List<Version> fetchVersions = new ArrayList<>();
        if (purpose == Purpose.SINGLE_REPLICA) {
            var matches = ReplicaVersions.findRowsetsToFetch(localVersions, theirs.versions());
            if (matches.isEmpty()) {
                throw new StatusException(StatusCode.CANCELLED, ReplicaVersions.onlyEarly(localVersions,
                        theirs.versions()) ? ReplicaVersions.NOTHING_NEWER : ReplicaVersions.NO_MATCH);
            }
            for (var match : matches) {
                replacedVersions.addAll(match.replaced());
                fetchVersions.add(match.fetch());
            }
        } else if (purpose == Purpose.CLONE) {
            verify(identities, tabletId, peer.name(), theirs.rowsets());
            replacedVersions.addAll(localVersions);
            fetchVersions.addAll(theirs.versions());
        } else {
            ReplicaVersions.CatchUpPlan plan = ReplicaVersions.catchUp(localVersions, theirs.versions());
            if (plan.isEmpty()) {
                return Fetch.nothing();
            }
            replacedVersions.addAll(plan.replaced());
            fetchVersions.addAll(plan.fetch());
        }
        List<RowsetMeta> replaced = local.stream().filter(r -> replacedVersions.contains(r.version())).toList();
        List<RowsetMeta> wanted = fetchVersions.stream().map(theirs::rowset).toList();
        verify(identities, tabletId, peer.name(), wanted);
        PeerRowsetFetcher.Fetched fetched = peer.download(tabletId, wanted, dir, schema, ids);
        if (calculator == null) {
            Fetch f = new Fetch(replaced, fetched.rowsets(), fetched.bytes(), theirs.cumulativePoint(), null, null);
            return purpose == Purpose.CLONE ? f.asWholeChain() : f;
        }
        try {
            List<RowsetMeta> chain = new ArrayList<>(local);
            chain.removeAll(replaced);
            chain.addAll(fetched.rowsets());
            return new Fetch(replaced, fetched.rowsets(), fetched.bytes(), theirs.cumulativePoint(), local,
                    calculator.recompute(chain));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dir, tabletId, fetched.rowsets());
            throw e;
        }
    }

    /**
     * {@link #fetch} on {@code executor} for this tablet as it is now (read on the actor's thread);
     * {@code cpu}, if given, counts the fetch's thread CPU time.
     */
    /**
     * {@link #fetch} from the peer at {@code address} over HTTP, checked against the content
     * identities the node's {@link io.compactor.api.ReplicaPeers} knows; a single-replica fetch's
     * CPU counts as single-replica compaction.
     */
    static CompletableFuture<Fetch> fetchFrom(String address, Purpose purpose, TabletState s, List<RowsetMeta> local,
                                              CompactionEnv env, NodeMetrics metrics) {
        var peers = env.peers().peers();
        var source = PeerSource.http(env.peers().fetcher(), address, peers.downloadToken());
        var cpu = purpose == Purpose.SINGLE_REPLICA ? metrics.compactionCpuNanos.get(NodeMetrics.Kind.SINGLE_REPLICA)
                : null;
        return fetchAsync(purpose, source, s, local, cpu, env.executor(), peers::identity);
    }

    static CompletableFuture<Fetch> fetchAsync(Purpose purpose, PeerSource peer, TabletState s, List<RowsetMeta> local,
                                               LongAdder cpu, Executor executor) {
        return fetchAsync(purpose, peer, s, local, cpu, executor, Identities.NONE);
    }

    static CompletableFuture<Fetch> fetchAsync(Purpose purpose, PeerSource peer, TabletState s, List<RowsetMeta> local,
                                               LongAdder cpu, Executor executor, Identities identities) {
        long tabletId = s.tabletId();
        var calculator = s.mow == null ? null : s.mow.calculator();
        var dir = s.dir;
        var schema = s.table.schema();
        var engine = s.engine;
        return CompletableFuture.supplyAsync(() -> {
            long cpuStart = NodeMetrics.threadCpuNanos();
            try {
                return fetch(purpose, peer, tabletId, local, dir, schema, calculator, engine::nextRowsetId, identities);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (cpu != null) {
                    cpu.add(NodeMetrics.threadCpuNanos() - cpuStart);
                }
            }
        }, executor);
    }

    /**
     * Commits {@code installed} in place of {@code replaced} in one synced meta batch, only if every
     * replaced rowset is still visible (and, with {@code expectedVisible}, the visible rowsets are
     * exactly those); replaced rowsets become stale as compaction inputs do. On refusal the installed
     * files are deleted.
     *
     * @param peerPoint the peer's cumulative point (adopted when ahead, on a rowset boundary), or -1
     */
    static Status install(TabletState s, List<RowsetMeta> replaced, List<RowsetMeta> installed,
                          List<RowsetMeta> expectedVisible, DeleteBitmap bitmap, long peerPoint) {
        Status status = tryInstall(s, replaced, installed, expectedVisible, bitmap, peerPoint);
        if (!status.ok()) {
            for (RowsetMeta r : installed) {
                s.deleteFiles(r.rowsetId(), r.numSegments());
            }
        }
        return status;
    }

    static Status install(TabletState s, Fetch f) {
        List<RowsetMeta> replaced = f.replaced();
        if (f.wholeChain() && f.expectedVisible() == null && !f.installed().isEmpty()) {
            // A clone replaces whatever the chain holds up to the peer's end now: loads published
            // while the files were copied are part of what the peer's chain brings.
            long end = f.installed().get(f.installed().size() - 1).endVersion();
            replaced = s.meta.rowsets().stream().filter(r -> r.endVersion() <= end).toList();
        }
        return install(s, replaced, f.installed(), f.expectedVisible(), f.bitmap(), f.peerCumulativePoint());
    }

    private static Status tryInstall(TabletState s, List<RowsetMeta> replaced, List<RowsetMeta> installed,
                                     List<RowsetMeta> expectedVisible, DeleteBitmap bitmap, long peerPoint) {
        long tabletId = s.tabletId();
        if (s.dropped) {
            return Status.tabletNotFound(tabletId);
        }
        if (installed.isEmpty()) {
            return Status.internal("tablet " + tabletId + ": nothing to install");
        }
        if (!s.meta.allVisible(replaced)) {
            return new Status(StatusCode.DELETE_VERSION_ERROR, "tablet " + tabletId + ": rowsets "
                    + replaced.stream().map(r -> r.version().toString()).toList()
                    + " to replace are no longer current; fetched rowsets discarded");
        }
        if (expectedVisible != null && !MowState.ids(expectedVisible).equals(MowState.ids(s.meta.rowsets()))) {
            return new Status(StatusCode.DELETE_VERSION_ERROR, "tablet " + tabletId
                    + ": rowsets changed while the peer rowsets were fetched; fetched rowsets discarded");
        }
        if (s.mow != null && bitmap == null) {
            return Status.internal("tablet " + tabletId + " is merge-on-write: peer rowsets need a recomputed delete"
                    + " bitmap");
        }
        long now = s.now();
        try {
            s.engine.debugPoints().failIfHit("meta.commit", tabletId, "meta commit of peer rowsets of tablet "
                    + tabletId);
            TabletMeta next = s.meta.installRowsets(replaced, installed, now);
            long cp = CumulativePoints.afterInstall(s.meta, next, peerPoint);
            MetaBatch batch = new MetaBatch();
            for (RowsetMeta r : replaced) {
                batch.putStaleRowset(r, now);
            }
            for (RowsetMeta r : installed) {
                batch.putRowset(r);
            }
            batch.putTablet(s.header(cp));
            if (s.mow != null) {
                for (RowsetMeta r : s.meta.rowsets()) {
                    batch.add(new MetaBatch.DeleteDeleteBitmap(tabletId, r.rowsetId()));
                }
                batch.putDeleteBitmap(tabletId, bitmap);
            }
            s.engine.meta().write(batch);
            s.meta = next.withCumulativePoint(cp);
            if (s.mow != null) {
                s.mow.replaceAll(bitmap);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return StatusException.statusOf(e);
        }
    }

    static void deleteQuietly(DataDir dir, long tabletId, List<RowsetMeta> rowsets) {
        for (RowsetMeta r : rowsets) {
            try {
                dir.deleteRowsetFiles(tabletId, r.rowsetId(), r.numSegments());
            } catch (IOException ignored) {
                // an orphan: swept at the next start
            }
        }
    }
}
