package io.compactor.storage.compaction;

import io.compactor.storage.DataDir;
import io.compactor.storage.merge.MergeStats;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.util.FileSync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Doris's ordered-data compaction: when the inputs are already in key order — every rowset
 * non-overlapping, every segment at least {@code ordered_data_compaction_min_segment_size}, and each
 * segment's keys strictly after the previous one's — nothing needs merging. The input segment files
 * are hard-linked under the output rowset's id (no data rewritten) and the meta rebuilt. Inputs keep
 * their own links, so they stay readable until they are swept as stale.
 */
final class OrderedDataCompaction {
    private OrderedDataCompaction() {
    }

    /** Whether the inputs qualify (Doris's "tidy" rule; a non-tidy input anywhere means no). */
    static boolean tidy(List<RowsetMeta> inputs, long minSegmentBytes) {
        byte[] previousMax = null;
        for (RowsetMeta r : inputs) {
            if (r.isSegmentsOverlapping()) {
                return false;
            }
            for (SegmentMeta s : r.segments()) {
                if (s.rows() == 0) {
                    continue;
                }
                if (s.bytes() < minSegmentBytes) {
                    return false;
                }
                if (previousMax != null && Arrays.compareUnsigned(previousMax, s.minKey()) >= 0) {
                    return false;
                }
                previousMax = s.maxKey();
            }
        }
        return previousMax != null;
    }

    /** Links the inputs' non-empty segments, in order, as the segments of {@code outputId}. */
    static CompactionOutput link(DataDir dir, long tabletId, List<RowsetMeta> inputs, RowsetId outputId)
            throws IOException {
        List<SegmentMeta> segments = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        long rows = 0;
        long[] perSource = new long[inputs.size()];
        try {
            for (int i = 0; i < inputs.size(); i++) {
                RowsetMeta r = inputs.get(i);
                for (int seg = 0; seg < r.numSegments(); seg++) {
                    SegmentMeta s = r.segments().get(seg);
                    if (s.rows() == 0) {
                        continue;
                    }
                    Path target = dir.segmentPath(tabletId, outputId, segments.size());
                    Files.createLink(target, dir.segmentPath(tabletId, r.rowsetId(), seg));
                    files.add(target);
                    segments.add(s);
                    rows += s.rows();
                    perSource[i] += s.rows();
                }
            }
            FileSync.syncDirectory(dir.tabletDir(tabletId));
        } catch (IOException | RuntimeException e) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            throw e;
        }
        PendingRowset out = new PendingRowset(outputId, tabletId, segments, SegmentsOverlap.NONOVERLAPPING, files);
        return new CompactionOutput(out, new MergeStats(rows, rows, 0, perSource, 0, false, false), null);
    }
}
