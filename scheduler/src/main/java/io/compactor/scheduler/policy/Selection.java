package io.compactor.scheduler.policy;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.util.List;

/**
 * What a cumulative policy's input selection produced (Doris {@code pick_input_rowsets}): the
 * inputs (possibly none), the delete version met, and why.
 *
 * @param inputs           the chosen rowsets, possibly empty
 * @param metDeleteVersion the last delete version seen, or null
 * @param reason           why these inputs, or why none
 * @param emptyRowsetMerge the inputs are a run of empty rowsets
 * @param outputLevel      time_series level of the output (0 for size_based)
 */
public record Selection(List<RowsetMeta> inputs, Version metDeleteVersion, String reason, boolean emptyRowsetMerge,
                        int outputLevel) {
    public Selection {
        inputs = List.copyOf(inputs);
    }

    static Selection none(String reason, Version metDeleteVersion) {
        return new Selection(List.of(), metDeleteVersion, reason, false, 0);
    }

    public long score() {
        return Rowsets.score(inputs);
    }
}
