package io.compactor.storage.merge;

import io.compactor.storage.rowset.RowsetMeta;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The map from every input row of a compaction, {@code (rowset index, segment id, row id)}, to
 * the output row it became, {@code (output segment id, row id)}, or to nothing when the row was
 * merged away. Merge-on-write compaction uses it to move delete-bitmap marks that loads place on
 * the inputs while the compaction runs onto the output (consistency rule 4 of docs/DESIGN.md).
 *
 * <p>Memory: one {@code int} per input row, holding the row's ordinal in the merge output (-1 when
 * merged away), allocated up front per input segment. The output is cut into segments later by
 * the writer; {@link #setOutputSegments} turns ordinals into {@code (segment, row)}.
 */
public final class RowIdConversion {
    /** What {@link #map} and {@link #outputOrdinal} return for a row that was merged away. */
    public static final long MERGED = -1L;

    private final int[][][] ordinals;
    private long[] segmentStarts;

    /**
     * @param segmentRows rows of each input segment: {@code segmentRows[rowsetIndex][segmentId]}
     */
    public RowIdConversion(long[][] segmentRows) {
        ordinals = new int[segmentRows.length][][];
        for (int r = 0; r < segmentRows.length; r++) {
            ordinals[r] = new int[segmentRows[r].length][];
            for (int s = 0; s < segmentRows[r].length; s++) {
                long rows = segmentRows[r][s];
                if (rows < 0 || rows >= Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("input rowset " + r + " segment " + s + " has " + rows
                            + " rows; expected between 0 and " + (Integer.MAX_VALUE - 1));
                }
                int[] map = new int[(int) rows];
                Arrays.fill(map, -1);
                ordinals[r][s] = map;
            }
        }
    }

    /** A conversion sized for the segments of the input rowsets, in compaction input order. */
    public static RowIdConversion forRowsets(List<RowsetMeta> inputs) {
        long[][] rows = new long[inputs.size()][];
        for (int r = 0; r < rows.length; r++) {
            RowsetMeta meta = inputs.get(r);
            rows[r] = new long[meta.numSegments()];
            for (int s = 0; s < rows[r].length; s++) {
                rows[r][s] = meta.segments().get(s).rows();
            }
        }
        return new RowIdConversion(rows);
    }

    /**
     * Records that {@code count} consecutive input rows starting at {@code firstRow} became the
     * consecutive output rows starting at ordinal {@code firstOutputRow}.
     */
    public void recordRange(int rowsetIndex, int segmentId, long firstRow, int count, long firstOutputRow) {
        int[] map = segment(rowsetIndex, segmentId);
        if (firstRow < 0 || firstRow + count > map.length) {
            throw new MergeCorruptionException("input rowset " + rowsetIndex + " segment " + segmentId
                    + " has " + map.length + " rows but the merge read rows [" + firstRow + ", "
                    + (firstRow + count) + ")");
        }
        if (firstOutputRow + count >= Integer.MAX_VALUE) {
            throw new IllegalStateException("row-id conversion supports at most " + (Integer.MAX_VALUE - 1)
                    + " output rows per compaction");
        }
        int out = (int) firstOutputRow;
        int from = (int) firstRow;
        for (int i = 0; i < count; i++) {
            map[from + i] = out + i;
        }
    }

    /**
     * Declares how the writer cut the output into segments: {@code rowsPerSegment[i]} rows in
     * output segment {@code i}, in order. Required before {@link #map} and {@link #convert}.
     */
    public void setOutputSegments(long[] rowsPerSegment) {
        long[] starts = new long[rowsPerSegment.length + 1];
        for (int i = 0; i < rowsPerSegment.length; i++) {
            if (rowsPerSegment[i] < 0) {
                throw new IllegalArgumentException("output segment " + i + " has negative rows " + rowsPerSegment[i]);
            }
            starts[i + 1] = starts[i] + rowsPerSegment[i];
        }
        segmentStarts = starts;
    }

    /** The row's ordinal in the merge output, or {@link #MERGED}. */
    public long outputOrdinal(int rowsetIndex, int segmentId, int rowId) {
        int[] map = segment(rowsetIndex, segmentId);
        if (rowId < 0 || rowId >= map.length) {
            throw new IllegalArgumentException("row " + rowId + " outside input rowset " + rowsetIndex
                    + " segment " + segmentId + " of " + map.length + " rows");
        }
        return map[rowId];
    }

    /**
     * Where an input row went: {@link #pack packed} {@code (output segment, row id)}, or
     * {@link #MERGED} when it was merged away.
     */
    public long map(int rowsetIndex, int segmentId, int rowId) {
        requireOutputSegments();
        long ordinal = outputOrdinal(rowsetIndex, segmentId, rowId);
        if (ordinal < 0) {
            return MERGED;
        }
        int seg = outputSegmentOf(ordinal, 0);
        return pack(seg, (int) (ordinal - segmentStarts[seg]));
    }

    /**
     * Converts a bitmap of row ids of one input segment (e.g. delete-bitmap marks) to bitmaps
     * of output row ids per output segment. Rows merged away are dropped: their key lives on in
     * a newer row, which carries its own marks.
     */
    public Map<Integer, RoaringBitmap> convert(int rowsetIndex, int segmentId, RoaringBitmap rows) {
        int[] map = segment(rowsetIndex, segmentId);
        requireOutputSegments();
        Map<Integer, RoaringBitmap> result = new TreeMap<>();
        RoaringBitmap current = null;
        int currentSeg = -1;
        IntIterator it = rows.getIntIterator();
        while (it.hasNext()) {
            int row = it.next();
            if (row < 0 || row >= map.length) {
                throw new IllegalArgumentException("row " + Integer.toUnsignedString(row) + " outside input rowset "
                        + rowsetIndex + " segment " + segmentId + " of " + map.length + " rows");
            }
            int ordinal = map[row];
            if (ordinal < 0) {
                continue;
            }
            int seg = outputSegmentOf(ordinal, Math.max(currentSeg, 0));
            if (seg != currentSeg) {
                current = result.computeIfAbsent(seg, k -> new RoaringBitmap());
                currentSeg = seg;
            }
            current.add((int) (ordinal - segmentStarts[seg]));
        }
        return result;
    }

    /** Packs an output location as {@code segment << 32 | row}. */
    public static long pack(int segment, int row) {
        return ((long) segment << 32) | (row & 0xFFFFFFFFL);
    }

    public static int segmentOf(long packed) {
        return (int) (packed >>> 32);
    }

    public static int rowOf(long packed) {
        return (int) packed;
    }

    /** Heap held by the map: 4 bytes per input row. */
    public long memoryBytes() {
        long n = 0;
        for (int[][] rowset : ordinals) {
            for (int[] seg : rowset) {
                n += 16 + 4L * seg.length;
            }
        }
        return n;
    }

    private int[] segment(int rowsetIndex, int segmentId) {
        if (rowsetIndex < 0 || rowsetIndex >= ordinals.length) {
            throw new IllegalArgumentException("input rowset index " + rowsetIndex + " outside 0.."
                    + (ordinals.length - 1));
        }
        int[][] segs = ordinals[rowsetIndex];
        if (segmentId < 0 || segmentId >= segs.length) {
            throw new IllegalArgumentException("input rowset " + rowsetIndex + " has no segment " + segmentId
                    + " (it has " + segs.length + ")");
        }
        return segs[segmentId];
    }

    private void requireOutputSegments() {
        if (segmentStarts == null) {
            throw new IllegalStateException("output segments unknown: call setOutputSegments after the writer built "
                    + "the output rowset");
        }
    }

    /** The output segment holding an ordinal; scans forward from {@code hint}, else binary-searches. */
    private int outputSegmentOf(long ordinal, int hint) {
        requireOutputSegments();
        long[] starts = segmentStarts;
        int last = starts.length - 2;
        if (ordinal >= starts[last + 1]) {
            throw new IllegalStateException("output row " + ordinal + " beyond the " + starts[last + 1]
                    + " rows of the declared output segments");
        }
        if (hint <= last && ordinal >= starts[hint]) {
            int s = hint;
            while (s < last && ordinal >= starts[s + 1] && s - hint < 4) {
                s++;
            }
            if (ordinal < starts[s + 1]) {
                return s;
            }
        }
        int i = Arrays.binarySearch(starts, 0, last + 2, ordinal);
        int seg = i >= 0 ? i : -i - 2;
        while (seg < last && starts[seg + 1] == ordinal) {
            seg++; // skip empty segments that start at the same ordinal
        }
        return seg;
    }
}
