package io.compactor.scheduler.policy;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Doris's time_series cumulative policy, for append-only data: rowsets are merged once they reach
 * the table's goal size ({@code time_series_compaction_goal_size_mbytes}, 1024; capped at 2048
 * with level 2), file count ({@code time_series_compaction_file_count_threshold}, 2000) or age
 * ({@code time_series_compaction_time_threshold_seconds}, 3600), and every non-empty output is
 * promoted to the base part at once, so nothing is compacted twice. With
 * {@code time_series_compaction_level_threshold} = 2, level-1 outputs older than a day are merged
 * once more (by 10 x goal size or 10 x time threshold). Runs of at least
 * {@code time_series_compaction_empty_rowsets_threshold} (5) consecutive empty rowsets are merged
 * to keep the version count down. A pick holds one permit: the goal size bounds its memory.
 */
public final class TimeSeriesCumulativePolicy extends CumulativeCompactionPolicy {

    public static final String NAME = TableNames.TIME_SERIES;
    /** Level-1 rowsets younger than this (Doris MAX_LEVEL2_COMPACTION_TIMEOUT) wait for level 2. */
    public static final long LEVEL2_MIN_AGE_MS = 24L * 60 * 60 * 1000;
    /** Goal size cap with level 2 (Doris MAX_LEVEL1_COMPACTION_GOAL_SIZE), in MB. */
    public static final long LEVEL1_MAX_GOAL_MBYTES = 2048;

    static final TimeSeriesCumulativePolicy INSTANCE = new TimeSeriesCumulativePolicy();

    private TimeSeriesCumulativePolicy() {
    }

    public static TimeSeriesCumulativePolicy instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected boolean singlePermit() {
        return true;
    }

    /** The goal size in bytes, capped for level 2. */
    public static long goalBytes(TableProperties p) {
        long mb = p.timeSeriesGoalSizeMbytes();
        if (p.timeSeriesLevelThreshold() >= 2) {
            mb = Math.min(mb, LEVEL1_MAX_GOAL_MBYTES);
        }
        return mb * 1024 * 1024;
    }

    private static boolean youngLevel1(RowsetMeta r, long now) {
        return r.compactionLevel() == 1 && now - r.creationTimeMs() <= LEVEL2_MIN_AGE_MS;
    }

    @Override
    public long initialCumulativePoint(TabletMeta tablet, PolicyContext ctx) {
        List<RowsetMeta> rs = tablet.rowsets();
        if (rs.isEmpty() || rs.get(0).startVersion() != 0) {
            return TabletMeta.INVALID_CUMULATIVE_POINT;
        }
        boolean level2 = ctx.tableProperties().timeSeriesLevelThreshold() >= 2;
        long now = ctx.nowMs();
        long cp = TabletMeta.INVALID_CUMULATIVE_POINT;
        long prevEnd = -1;
        for (RowsetMeta r : rs) {
            if (r.startVersion() > prevEnd + 1) {
                break;
            }
            if (!ctx.hasDeletePredicate(r)) {
                boolean singleton = r.version().isSingleton();
                if (r.isSegmentsOverlapping() || singleton) {
                    return r.startVersion();
                }
                if (r.startVersion() != 0 && Rowsets.isEmpty(r)) {
                    return r.startVersion();
                }
                if (level2 && youngLevel1(r, now)) {
                    return r.startVersion();
                }
            }
            prevEnd = r.endVersion();
            cp = prevEnd + 1;
        }
        return cp;
    }

    @Override
    public long cumulativeScore(TabletMeta tablet, PolicyContext ctx) {
        List<RowsetMeta> rs = tablet.rowsets();
        if (rs.isEmpty() || !Rowsets.hasBaseRowset(rs)) {
            return 0;
        }
        TableProperties p = ctx.tableProperties();
        long cp = effectiveCumulativePoint(tablet, ctx);
        long goal = goalBytes(p);
        long now = ctx.nowMs();
        long score = 0;
        long level0Score = 0;
        long level0Bytes = 0;
        long earliest = Long.MAX_VALUE;
        List<RowsetMeta> part = new ArrayList<>();
        for (RowsetMeta r : rs) {
            if (r.endVersion() < cp) {
                continue;
            }
            part.add(r);
            score += r.compactionScore();
            if (r.compactionLevel() == 0) {
                level0Bytes += r.totalBytes();
                level0Score += r.compactionScore();
            }
            earliest = Math.min(earliest, r.creationTimeMs());
        }
        if (level0Bytes >= goal || level0Score >= p.timeSeriesFileCountThreshold()) {
            return score;
        }
        if (earliest < now && now - earliest > p.timeSeriesTimeThresholdSeconds() * 1000 && score > 0) {
            return score;
        }
        if (p.timeSeriesLevelThreshold() >= 2) {
            List<RowsetMeta> ready = level1Ready(level1Group(part, now), goal, p, now);
            if (ready != null) {
                return ready.size();
            }
        }
        List<RowsetMeta> candidates = candidates(tablet, cp, ctx);
        if (!EmptyRowsetRuns.firstRun(candidates, p.timeSeriesEmptyRowsetsThreshold(),
                ctx.deletePredicate()).isEmpty()) {
            return score;
        }
        return 0;
    }

    /**
     * Leading compacted rowsets eligible for level 2. Stops at the first level-0 rowset and, unlike
     * Doris (which skips it), at the first level-1 rowset younger than a day, so the group stays
     * consecutive; outputs are created in version order, so this changes nothing in practice.
     */
    private static List<RowsetMeta> level1Group(List<RowsetMeta> rowsets, long now) {
        List<RowsetMeta> group = new ArrayList<>();
        for (RowsetMeta r : rowsets) {
            if (r.compactionLevel() == 0) {
                break;
            }
            if (youngLevel1(r, now)) {
                break;
            }
            group.add(r);
        }
        return group;
    }

    /**
     * The prefix of {@code group} that satisfies level-2 condition 4 (at least two rowsets reaching
     * 10 x goal size) or the whole group by condition 5 (at least two, the first older than
     * 10 x time threshold); null if neither holds.
     */
    private static List<RowsetMeta> level1Ready(List<RowsetMeta> group, long goal, TableProperties p, long now) {
        long size = 0;
        for (int i = 0; i < group.size(); i++) {
            size += group.get(i).totalBytes();
            if (i >= 1 && size >= goal * 10) {
                return group.subList(0, i + 1);
            }
        }
        if (group.size() >= 2) {
            long earliest = Long.MAX_VALUE;
            for (RowsetMeta r : group) {
                earliest = Math.min(earliest, r.creationTimeMs());
            }
            if (now - earliest > p.timeSeriesTimeThresholdSeconds() * 10 * 1000) {
                return group;
            }
        }
        return null;
    }

    @Override
    public Selection selectInputs(TabletMeta tablet, List<RowsetMeta> candidates, long maxScore, long minScore,
                                  PolicyContext ctx) {
        TableProperties p = ctx.tableProperties();
        long goal = goalBytes(p);
        long now = ctx.nowMs();
        int level = p.timeSeriesLevelThreshold() >= 2 ? 1 : 0;
        int first = 0;
        while (first < candidates.size() && !candidates.get(first).version().isSingleton()
                && !Rowsets.isEmpty(candidates.get(first))) {
            first++;
        }
        List<RowsetMeta> inputs = new ArrayList<>();
        Version lastDelete = null;
        long score = 0;
        long total = 0;
        for (int i = first; i < candidates.size(); i++) {
            RowsetMeta r = candidates.get(i);
            if (ctx.hasDeletePredicate(r)) {
                lastDelete = r.version();
                if (!inputs.isEmpty()) {
                    break;
                }
                score = 0;
                total = 0;
                continue;
            }
            inputs.add(r);
            score += r.compactionScore();
            total += r.totalBytes();
            if (total >= goal) {
                if (inputs.size() == 1 && !r.isSegmentsOverlapping()) {
                    inputs.clear();
                    score = 0;
                    total = 0;
                    continue;
                }
                return picked(inputs, lastDelete, "total size " + Rowsets.size(total) + " reaches goal size "
                        + Rowsets.size(goal), level);
            }
            if (score >= ctx.config().compactionMaxRowsetCount()) {
                return picked(inputs, lastDelete, "score " + score + " reaches compaction_max_rowset_count="
                        + ctx.config().compactionMaxRowsetCount(), level);
            }
        }
        if (lastDelete != null) {
            if (inputs.size() == 1 && !inputs.get(0).isSegmentsOverlapping()) {
                return Selection.none("only " + inputs.get(0).version() + " (non-overlapping) precedes delete version "
                        + lastDelete, lastDelete);
            }
            return picked(inputs, lastDelete, "compacting the rowsets before delete version " + lastDelete, level);
        }
        if (score >= p.timeSeriesFileCountThreshold()) {
            return picked(inputs, null, "score " + score + " reaches time_series_compaction_file_count_threshold="
                    + p.timeSeriesFileCountThreshold(), level);
        }
        if (!inputs.isEmpty()) {
            long age = now - inputs.get(0).creationTimeMs();
            if (age > p.timeSeriesTimeThresholdSeconds() * 1000) {
                return picked(inputs, null, "oldest input " + inputs.get(0).version() + " is " + age / 1000
                        + "s old, over time_series_compaction_time_threshold_seconds="
                        + p.timeSeriesTimeThresholdSeconds(), level);
            }
        }
        if (p.timeSeriesLevelThreshold() >= 2) {
            List<RowsetMeta> ready = level1Ready(level1Group(candidates, now), goal, p, now);
            if (ready != null) {
                return new Selection(ready, null, ready.size() + " level-1 rowsets older than a day reach 10 x goal"
                        + " size or 10 x time threshold: level-2 compaction", false, 2);
            }
        }
        List<RowsetMeta> empties = EmptyRowsetRuns.firstRun(candidates, p.timeSeriesEmptyRowsetsThreshold(),
                ctx.deletePredicate());
        if (!empties.isEmpty()) {
            return new Selection(empties, null, empties.size() + " consecutive empty rowsets (threshold "
                    + p.timeSeriesEmptyRowsetsThreshold() + "): merging them", true, 0);
        }
        return Selection.none("size " + Rowsets.size(total) + " < goal " + Rowsets.size(goal) + ", score " + score
                + " < file count threshold " + p.timeSeriesFileCountThreshold() + ", and no input older than "
                + p.timeSeriesTimeThresholdSeconds() + "s", null);
    }

    private static Selection picked(List<RowsetMeta> inputs, Version lastDelete, String reason, int levelIfLeveled) {
        int outLevel = levelIfLeveled == 0 ? 0 : inputs.get(0).compactionLevel() + 1;
        return new Selection(inputs, lastDelete, reason, false, outLevel);
    }

    /**
     * Doris {@code get_compaction_level}: with level threshold 2, the level of the first input + 1;
     * otherwise 0. An empty output is level 0.
     */
    public static int outputLevel(List<RowsetMeta> inputs, TableProperties p) {
        if (p.timeSeriesLevelThreshold() < 2 || inputs.isEmpty()) {
            return 0;
        }
        return inputs.get(0).compactionLevel() + 1;
    }

    @Override
    protected long nextCumulativePoint(TabletMeta before, CompactionPick pick, RowsetMeta output, long current,
                                       PolicyContext ctx) {
        if (output.numSegments() == 0) {
            return current;
        }
        if (ctx.tableProperties().timeSeriesLevelThreshold() >= 2 && output.compactionLevel() < 2) {
            return current;
        }
        return output.endVersion() + 1;
    }
}
