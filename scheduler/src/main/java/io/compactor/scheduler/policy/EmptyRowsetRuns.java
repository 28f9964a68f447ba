package io.compactor.scheduler.policy;

import io.compactor.storage.rowset.RowsetMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Doris's {@code calc_consecutive_empty_rowsets}: the first run of at least {@code threshold}
 * consecutive empty (no segment), non-delete rowsets that is followed by another rowset. The whole
 * run is taken; a run at the tail is left alone because a load may still extend it.
 */
public final class EmptyRowsetRuns {
    private EmptyRowsetRuns() {
    }

    /** The first qualifying run of {@code candidates} (sorted by version), or an empty list. */
    public static List<RowsetMeta> firstRun(List<RowsetMeta> candidates, long threshold,
                                            Predicate<RowsetMeta> hasDeletePredicate) {
        int n = candidates.size();
        int i = 0;
        while (i < n - 1) {
            if (!emptyNoDelete(candidates.get(i), hasDeletePredicate)) {
                i++;
                continue;
            }
            List<RowsetMeta> run = new ArrayList<>();
            run.add(candidates.get(i));
            int next = i + 1;
            while (next < n && emptyNoDelete(candidates.get(next), hasDeletePredicate)
                    && run.get(run.size() - 1).endVersion() + 1 == candidates.get(next).startVersion()) {
                run.add(candidates.get(next));
                next++;
            }
            if (run.size() >= 2 && run.size() >= threshold && next < n) {
                return run;
            }
            i = Math.max(next, i + 1);
        }
        return List.of();
    }

    private static boolean emptyNoDelete(RowsetMeta r, Predicate<RowsetMeta> hasDeletePredicate) {
        return Rowsets.isEmpty(r) && !hasDeletePredicate.test(r);
    }
}
