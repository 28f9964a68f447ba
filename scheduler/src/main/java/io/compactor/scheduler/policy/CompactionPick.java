package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.util.List;
import java.util.Objects;

/**
 * Rowsets chosen for one compaction. Inputs are consecutive versions sorted by version; the output
 * version spans exactly them; the score is the sum of their scores.
 *
 * @param type               the kind of compaction
 * @param policy             "size_based", "time_series", "base" or "full"
 * @param tabletId           the tablet
 * @param inputs             rowsets to merge, consecutive, sorted by version
 * @param outputVersion      {@code [first.start, last.end]}
 * @param score              sum of the inputs' compaction scores
 * @param permits            permits to hold while it runs: the score, or 1 for time_series cumulative
 *                           (which bounds memory through its goal size)
 * @param reason             why these rowsets, in words
 * @param emptyRowsetMerge   the inputs are a run of consecutive empty rowsets (time_series)
 * @param outputLevel        time_series compaction level of the output if it is not empty (0 otherwise)
 * @param cumulativePoint    cumulative point to store before running it
 * @param metDeleteVersion   the delete version met while picking, or null (moves the point on success)
 */
public record CompactionPick(CompactionType type, String policy, long tabletId, List<RowsetMeta> inputs,
                             Version outputVersion, long score, long permits, String reason, boolean emptyRowsetMerge,
                             int outputLevel, long cumulativePoint, Version metDeleteVersion) implements PickResult {

    public CompactionPick {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(policy, "policy");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(reason, "reason");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("tablet " + tabletId + ": a compaction pick needs at least one input");
        }
        Version expected = Rowsets.span(inputs);
        if (!expected.equals(outputVersion)) {
            throw new IllegalArgumentException("tablet " + tabletId + ": output version " + outputVersion
                    + " does not span the inputs " + expected);
        }
    }

    /** Builds a pick whose output version and score derive from the inputs. */
    static CompactionPick of(CompactionType type, String policy, long tabletId, List<RowsetMeta> inputs,
                             boolean timeSeriesPermits, String reason, boolean emptyRowsetMerge, int outputLevel,
                             long cumulativePoint, Version metDeleteVersion) {
        long score = Rowsets.score(inputs);
        return new CompactionPick(type, policy, tabletId, inputs, Rowsets.span(inputs), score,
                timeSeriesPermits ? 1 : score, reason, emptyRowsetMerge, outputLevel, cumulativePoint,
                metDeleteVersion);
    }

    public long inputBytes() {
        return Rowsets.bytes(inputs);
    }

    public long inputRows() {
        long n = 0;
        for (RowsetMeta r : inputs) {
            n += r.numRows();
        }
        return n;
    }

    public int inputSegments() {
        int n = 0;
        for (RowsetMeta r : inputs) {
            n += r.numSegments();
        }
        return n;
    }

    /** The input version range as Doris shows it in profiles, e.g. "[2-9]". */
    public String inputVersionRange() {
        return outputVersion.toString();
    }

    @Override
    public String toString() {
        return type + " " + policy + " tablet=" + tabletId + " " + outputVersion + " inputs=" + inputs.size()
                + " score=" + score + " permits=" + permits + ": " + reason;
    }
}
