package io.compactor.actors.tablet;

import io.compactor.actors.compaction.CompactionProfiles;
import io.compactor.actors.compaction.SupervisorProtocol;
import io.compactor.api.CompactionProfile;
import io.compactor.api.NodeMetrics;
import io.compactor.api.TimeFormat;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.CompactionExclusion;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.policy.CompactionPolicy;
import io.compactor.scheduler.policy.CumulativePoints;
import io.compactor.scheduler.policy.PickResult;
import io.compactor.scheduler.policy.PolicyContext;
import io.compactor.scheduler.policy.Refusal;
import io.compactor.storage.RowsetId;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.compaction.CompactionProgress;
import io.compactor.storage.compaction.CompactionSettings;
import io.compactor.storage.compaction.RowsetCompactor;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * One compaction of one tablet, from grant to profile: {@link #start} re-picks and checks the pick
 * against the grant, {@link #merge} writes the output (on the compaction executor, never the
 * actor), {@link #commit} swaps inputs for output if they are still current, {@link #profile}
 * records what happened. Plain functions over the {@link TabletState}; the actor calls
 * {@code start} and {@code commit} on its own thread.
 */
final class CompactionRun {
    private CompactionRun() {
    }

    /** What {@link #start} decided. */
    sealed interface Start permits Refused, GiveBack, Run {
    }

    /**
     * Nothing runs: the task ends with {@code status}.
     *
     * @param decided the policy refused (the tablet's candidates may have changed: report them)
     */
    record Refused(Status status, boolean noSuitableVersion, boolean decided) implements Start {
    }

    /** The pick changed since it was reported and needs more permits than granted. */
    record GiveBack(CompactionPick pick) implements Start {
    }

    record Run(CompactionPick pick) implements Start {
    }

    /** When a task was scheduled, started and ended, epoch ms. */
    record Times(long scheduledMs, long startMs, long endMs) {
    }

    /** The outcome of {@link #commit}: the status and, on success, the committed output. */
    record Committed(Status status, RowsetMeta output) {
    }

    /**
     * Re-validates a grant: the tablet may compact ({@code running} and {@code fetching} say what
     * runs on it now), the policy picks again (storing a cumulative point it initialised or
     * advanced), and the pick fits the granted permits.
     */
    static Start start(TabletState s, CompactionType type, long grantedPermits, Set<CompactionType> running,
                       boolean fetching, PolicyContext pc) {
        if (s.dropped) {
            return new Refused(Status.tabletNotFound(s.tabletId()), false, false);
        }
        var bad = s.engine.badTablets().reason(s.tabletId());
        if (bad.isPresent()) {
            // Never merge a damaged tablet: the output would replace inputs that might be repaired.
            return new Refused(Status.internal("tablet " + s.tabletId() + " is bad, compaction refused: "
                    + bad.get()), false, false);
        }
        var busy = CompactionExclusion.refusal(s.tabletId(), type, running, fetching);
        if (busy.isPresent()) {
            return new Refused(busy.get(), false, false);
        }
        PickResult result;
        try {
            if (s.meta.cumulativePoint() == TabletMeta.INVALID_CUMULATIVE_POINT) {
                s.storeCumulativePoint(CumulativePoints.beforePick(s.meta, pc));
            }
            // Cluster mode: only versions already visible (no rowset may span a version reads ask for).
            TabletMeta pickable = s.compactionCap == Long.MAX_VALUE ? s.meta : s.meta.withVisibleRowsets(
                    s.meta.rowsets().stream().filter(r -> r.endVersion() <= s.compactionCap).toList());
            result = CompactionPolicy.of(type, pc).pick(pickable, pc);
        } catch (RuntimeException e) {
            return new Refused(Status.internal("prepare " + type.dorisName() + " compaction of tablet "
                    + s.tabletId() + " failed: " + e.getMessage()), false, false);
        }
        s.storeCumulativePoint(CumulativePoints.afterDecision(s.meta, result));
        if (result instanceof Refusal r) {
            return new Refused(r.toStatus(), r.isNoSuitableVersion(), true);
        }
        CompactionPick pick = (CompactionPick) result;
        return pick.permits() > grantedPermits ? new GiveBack(pick) : new Run(pick);
    }

    /** How this tablet's compactions of {@code type} merge, from the node's current settings. */
    static CompactionSettings settings(CompactorConfig c, TableMeta table, CompactionType type) {
        boolean ordered = c.get(StorageKeys.ENABLE_ORDERED_DATA_COMPACTION) && type != CompactionType.FULL
                && !table.isMergeOnWrite();
        return new CompactionSettings(c.get(StorageKeys.ENABLE_VERTICAL_COMPACTION),
                c.getInt(StorageKeys.VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP),
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_ROW_SOURCE_MEMORY_MB) << 20,
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_SEGMENT_SIZE), table.isMergeOnWrite(), ordered,
                c.get(StorageKeys.ORDERED_DATA_COMPACTION_MIN_SEGMENT_SIZE),
                // Doris: base (enable_prune_delete_sign_when_base_compaction) and full compaction drop deleted keys
                type == CompactionType.BASE || type == CompactionType.FULL);
    }

    /** {@link #merge(TabletFiles, CompactionPick, RowsetId, CompactionSettings, DebugPoints, CompactionProgress)} unwatched. */
    static CompactionOutput merge(TabletFiles files, CompactionPick pick, RowsetId outputId,
                                  CompactionSettings settings, DebugPoints debug) {
        return merge(files, pick, outputId, settings, debug,
                CompactionProgress.untracked(files.tabletId(), pick.type().dorisName()));
    }

    /**
     * Writes the output of {@code pick} (files only), counting into {@code progress} and stopping
     * (output deleted, CANCELLED) at its next checkpoint once it is cancelled. Runs on the
     * compaction executor. Debug point {@code compaction.merge.hold} (optionally with
     * {@code tablet_id}) holds the merge, while it is active, once it has read more than
     * {@code after_rows} rows (default 0: after its first batch); a cancel still stops it.
     */
    static CompactionOutput merge(TabletFiles files, CompactionPick pick, RowsetId outputId,
                                  CompactionSettings settings, DebugPoints debug, CompactionProgress progress) {
        progress.holdWhile(() -> {
            var point = debug.take("compaction.merge.hold", id -> id == files.tabletId());
            return point != null && progress.rowsRead() > Long.parseLong(point.params().getOrDefault("after_rows", "0"));
        });
        try {
            debug.failIfHit("compaction.merge", pick.type().dorisName() + " compaction of tablet " + files.tabletId());
            // Holds the merge (on its compaction thread, never the actor) while the point is set,
            // so tests can commit loads in the middle of a compaction.
            while (debug.hit("compaction.merge.block")) {
                LockSupport.parkNanos(5_000_000L);
            }
            return RowsetCompactor.compact(files.dir(), files.tabletId(), files.schema(), pick.inputs(), outputId,
                    settings, progress);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Commits a merged compaction if its inputs are still the tablet's current rowsets (consistency
     * rule 3 of docs/DESIGN.md); otherwise, or if the merge or the meta write failed, deletes the
     * output. Merge-on-write: the inputs' marks move to the output (cumulative, base) or are
     * recomputed for loads newer than it (full, Doris's data recovery).
     */
    static Committed commit(TabletState s, CompactionPick pick, CompactionOutput merged, Throwable error,
                            PolicyContext pc) {
        if (error != null) {
            s.engine.badTablets().markIfCorrupt(error);
            Status status = StatusException.statusOf(error);
            if (status.is(StatusCode.INTERNAL_ERROR) && error.getMessage() != null
                    && error.getMessage().contains("CHECK_LINES_ERROR")) {
                status = new Status(StatusCode.CHECK_LINES_ERROR, status.msg());
            }
            return new Committed(status, null);
        }
        if (s.dropped) {
            s.deleteFiles(merged.rowset().rowsetId(), merged.rowset().segments().size());
            return new Committed(Status.tabletNotFound(s.tabletId()), null);
        }
        if (!s.meta.allVisible(pick.inputs())) {
            s.deleteFiles(merged.rowset().rowsetId(), merged.rowset().segments().size());
            return new Committed(new Status(StatusCode.DELETE_VERSION_ERROR, "tablet " + s.tabletId() + ": inputs "
                    + pick.inputVersionRange() + " of the " + pick.type().dorisName()
                    + " compaction are no longer current; output discarded"), null);
        }
        long now = s.now();
        RowsetMeta output = merged.rowset().toMeta(pick.outputVersion(), now, 0).withCompactionLevel(pick.outputLevel())
                .withContentId(RowsetMeta.combinedContentId(pick.inputs()));
        Status status = commitMeta(s, pick, output, merged, now, pc);
        if (!status.ok()) {
            s.deleteFiles(output.rowsetId(), output.numSegments());
            return new Committed(status, null);
        }
        return new Committed(status, output);
    }

    /**
     * {@link #commit} unless a cancel won the race ({@link CompactionProgress#beginCommit}): then the
     * complete output is deleted and the task ends CANCELLED, nothing visible changed. The progress
     * reaches 100 % when the commit is durable.
     */
    static Committed commit(TabletState s, CompactionPick pick, CompactionOutput merged, Throwable error,
                            PolicyContext pc, CompactionProgress progress) {
        if (error == null && !progress.beginCommit()) {
            s.deleteFiles(merged.rowset().rowsetId(), merged.rowset().segments().size());
            return new Committed(cancelled(progress), null);
        }
        Committed c = commit(s, pick, merged, error, pc);
        if (c.status().ok()) {
            progress.committed();
        } else {
            progress.failed();
        }
        return c;
    }

    /**
     * Ends a task that was cancelled between its grant and now (nothing ran): its profile, the
     * metric and the supervisor's answer. Returns whether it did.
     */
    static boolean endIfCancelled(SupervisorProtocol.RunCompaction m, CompactionProfiles profiles, NodeMetrics metrics,
                                  long now) {
        if (!m.progress().isCancelled()) {
            return false;
        }
        Status cancelled = cancelled(m.progress());
        profiles.add(cancelledProfile(profiles.nextId(), m.progress(), m.score(), m.permits(), cancelled, now));
        metrics.compactionCancelled.get(NodeMetrics.Kind.of(m.type())).increment();
        m.supervisor().tell(new SupervisorProtocol.TaskFinished(m.taskId(), cancelled, false));
        return true;
    }

    /**
     * Records a finished task: the tablet's status book, the single-replica announcement of a
     * success, the log of a failure, the metrics of its outcome and its profile.
     *
     */
    static void record(TabletState s, SupervisorProtocol.RunCompaction task, CompactionPick pick, CompactionOutput merged,
                       Committed committed, Times times, CompactionEnv env, NodeMetrics metrics,
                       CompactionStatusBook book, org.slf4j.Logger log) {
        Status status = committed.status();
        long scheduledMs = times.scheduledMs();
        long startMs = times.startMs();
        long now = times.endMs();
        if (status.ok()) {
            book.succeeded(task.type(), now);
            if (s.table.properties().enableSingleReplicaCompaction()) {
                env.peers().peers().announceCompaction(s.tabletId());
            }
        } else {
            book.failed(task.type(), now, status);
            if (!status.is(StatusCode.CANCELLED)) {
                log.warn("tablet {}: {} compaction of {} failed: {}", s.tabletId(), task.type().dorisName(),
                        pick.inputVersionRange(), status);
            }
        }
        CompactionProfiles profiles = env.profiles();
        TabletReports.countCompaction(metrics, pick, status);
        int groups = verticalGroups(s.table.schema(),
                s.engine.config().getInt(StorageKeys.VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP));
        profiles.add(profile(profiles.nextId(), s.meta.tableId(), pick, task.trigger(), task.permits(), merged,
                committed.output(), committed.status(), scheduledMs, startMs, now, groups, task.progress()));
    }

    /** The status of a cancelled task. */
    static Status cancelled(CompactionProgress p) {
        return new Status(StatusCode.CANCELLED, p.type() + " compaction of tablet " + p.tabletId() + " cancelled by "
                + p.cancelledBy() + " at " + TimeFormat.millis(p.cancelledAtMs()));
    }

    private static Status commitMeta(TabletState s, CompactionPick pick, RowsetMeta output, CompactionOutput merged,
                                     long now, PolicyContext pc) {
        long tabletId = s.tabletId();
        try {
            s.engine.debugPoints().failIfHit("compaction.commit", "commit of tablet " + tabletId);
            s.engine.debugPoints().failIfHit("meta.commit", tabletId, "meta commit of the "
                    + pick.type().dorisName() + " compaction of tablet " + tabletId);
            long cp = CumulativePoints.afterCompaction(s.meta, pick, output, pc);
            MetaBatch batch = new MetaBatch();
            for (RowsetMeta in : pick.inputs()) {
                batch.putStaleRowset(in, now);
            }
            batch.putRowset(output);
            batch.putTablet(s.header(cp));
            Set<RowsetId> inputIds = MowState.ids(pick.inputs());
            DeleteBitmap outputMarks = null;
            if (s.mow != null) {
                outputMarks = pick.type() == CompactionType.FULL ? s.mow.repairMarks(output, s.meta.rowsets())
                        : s.mow.convertMarks(pick.inputs(), output, merged);
                for (RowsetId in : inputIds) {
                    batch.add(new MetaBatch.DeleteDeleteBitmap(tabletId, in));
                }
                batch.putDeleteBitmap(tabletId, outputMarks);
            }
            s.engine.meta().write(batch);
            s.meta = s.meta.replaceRowsets(pick.inputs(), output, now).withCumulativePoint(cp);
            if (s.mow != null) {
                s.mow.replace(inputIds, outputMarks);
            }
            return Status.OK;
        } catch (IOException e) {
            return Status.internal("tablet " + tabletId + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return StatusException.statusOf(e);
        }
    }

    /** The profile of a finished task (Doris's upstream compaction profile). */
    static CompactionProfile profile(long id, long tableId, CompactionPick pick, String trigger, long permits,
                                     CompactionOutput merged, RowsetMeta output, Status status, long scheduledMs,
                                     long startMs, long endMs, int verticalGroups, CompactionProgress progress) {
        var stats = merged == null ? null : merged.stats();
        var live = progress.snapshot();
        boolean vertical = stats != null ? stats.vertical() : live.groups() > 0;
        var b = CompactionProfile.builder(id, pick.type().dorisName(), pick.tabletId(), tableId);
        if (status.is(StatusCode.CANCELLED) && progress.isCancelled()) {
            b.cancelled(progress.cancelledBy(), TimeFormat.millis(progress.cancelledAtMs()), status.toString())
                    .completedGroups(vertical ? Math.max(0, live.group() - 1) : 0);
        }
        return b
                .task(trigger, pick.score(), permits)
                .times(TimeFormat.millis(scheduledMs), TimeFormat.millis(startMs), TimeFormat.millis(endMs),
                        endMs - startMs)
                .input(pick.inputs().size(), pick.inputRows(), pick.inputBytes(), pick.inputSegments(),
                        pick.inputVersionRange())
                .output(output == null ? 0 : output.numRows(), output == null ? 0 : output.totalBytes(),
                        output == null ? 0 : output.numSegments(), pick.outputVersion().toString())
                .merge(stats == null ? 0 : stats.mergedRows(), stats == null ? 0 : stats.peakMemoryBytes(), vertical,
                        verticalGroups)
                .failure(status.ok() ? null : status.toString())
                .build();
    }

    /** The profile of a task cancelled before its merge began (queued, or granted and not started). */
    static CompactionProfile cancelledProfile(long id, CompactionProgress p, long score, long permits, Status status,
                                              long endMs) {
        long granted = p.snapshot().grantedAtMs();
        return CompactionProfile.builder(id, p.type(), p.tabletId(), p.snapshot().tableId())
                .task(p.snapshot().trigger(), score, permits)
                .times(TimeFormat.millis(granted), TimeFormat.millis(granted), TimeFormat.millis(endMs), 0)
                .cancelled(p.cancelledBy(), TimeFormat.millis(p.cancelledAtMs()), status.toString())
                .build();
    }

    /** Column groups of a vertical merge of this schema: the key group and the value groups. */
    static int verticalGroups(Schema schema, int columnsPerGroup) {
        int values = schema.columnCount() - schema.keyCount();
        return 1 + (values + columnsPerGroup - 1) / columnsPerGroup;
    }

    /** What a merge off the actor needs of the tablet: immutable, safe on any thread. */
    record TabletFiles(io.compactor.storage.DataDir dir, long tabletId, Schema schema) {
    }
}
