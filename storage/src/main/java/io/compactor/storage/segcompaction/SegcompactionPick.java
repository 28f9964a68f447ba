package io.compactor.storage.segcompaction;

import io.compactor.storage.segment.SegmentMeta;
import java.util.List;

/**
 * What one segment-compaction trigger does, starting at the compacted point {@code cp}: rename
 * raw segments {@code [cp, cp + renames)} plainly into the compacted sequence, then merge raw
 * segments {@code [cp + renames, cp + renames + merges)} into one ({@code merges} is 0 or at
 * least 2).
 *
 * <p>{@link #of} is Doris's {@code _find_longest_consecutive_small_segment}: from the compacted
 * point take at most {@code batch_size} segments; a big segment at the head is renamed and the
 * head moves on; a big segment after some candidates stops the scan; the scan also stops before a
 * segment that would make the task exceed {@code segcompaction_task_max_rows/_bytes}. If the scan
 * reached the last flushed segment with at most {@code batch_size / 2} candidates it waits for
 * more; a single candidate is renamed alone.
 *
 * <p>Doris stops the scan before the last segment because its writer may still be filling it.
 * Our {@code RowsetWriter} reports a segment only once it is finished (fsynced, final name), so
 * every flushed segment is a candidate.
 */
public record SegcompactionPick(int renames, int merges) {
    public static final SegcompactionPick NOTHING = new SegcompactionPick(0, 0);

    public SegcompactionPick {
        if (renames < 0 || merges < 0 || merges == 1) {
            throw new IllegalArgumentException("invalid pick: renames=" + renames + ", merges=" + merges);
        }
    }

    public boolean isEmpty() {
        return renames == 0 && merges == 0;
    }

    /**
     * @param flushed        metas of every segment flushed so far, index = raw segment id
     * @param compactedPoint the first raw segment not yet compacted or renamed
     */
    public static SegcompactionPick of(List<SegmentMeta> flushed, int compactedPoint, SegcompactionSettings s) {
        int end = flushed.size();
        int renames = 0;
        int candidates = 0;
        long taskRows = 0;
        long taskBytes = 0;
        int seg;
        for (seg = compactedPoint; seg < end && candidates < s.batchSize(); seg++) {
            SegmentMeta m = flushed.get(seg);
            if (s.isBig(m.rows(), m.bytes())) {
                if (candidates == 0) {
                    renames++;
                    continue;
                }
                break;
            }
            if (taskRows + m.rows() > s.taskMaxRows() || taskBytes + m.bytes() > s.taskMaxBytes()) {
                break;
            }
            candidates++;
            taskRows += m.rows();
            taskBytes += m.bytes();
        }
        if (seg == end && candidates <= s.batchSize() / 2) {
            candidates = 0;
        }
        if (candidates == 1) {
            renames++;
            candidates = 0;
        }
        return renames == 0 && candidates == 0 ? NOTHING : new SegcompactionPick(renames, candidates);
    }
}
