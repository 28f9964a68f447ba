package io.compactor.storage.mow;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentCursor;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * Computes the delete-bitmap marks of a new rowset of a merge-on-write tablet: for every key it
 * holds, the older rows with the same key (Doris's {@code calc_segment_delete_bitmap}).
 *
 * <ul>
 *   <li>Within the new rowset, a row whose key appears again in a later segment (a later memtable
 *       flush) is marked: the later one is newer.</li>
 *   <li>Otherwise the key is looked up in the older rowsets, newest first (segments of an
 *       overlapping rowset newest first), pruned by each segment's min/max key; the first row
 *       found that is not already deleted is marked. With correct bitmaps at most one older row of
 *       a key is visible, so the search stops there.</li>
 * </ul>
 * The keys of a new segment ascend, so each older segment's cached key index is walked with a
 * forward cursor ({@link PrimaryKeyIndex.Cursor}): a merge-join of sorted key runs, sequential in
 * memory, instead of one binary search per key and segment.
 * Marks carry version 0 until the load gets its version. Synchronous; run it on a load thread.
 */
public final class DeleteBitmapCalculator {
    private final DataDir dir;
    private final long tabletId;
    private final Schema schema;
    private final PrimaryKeyIndexCache cache;
    private final boolean fast;
    private final int seq;
    private final int deleteSign;

    public DeleteBitmapCalculator(DataDir dir, long tabletId, Schema schema, PrimaryKeyIndexCache cache) {
        this.dir = dir;
        this.tabletId = tabletId;
        this.schema = schema;
        this.cache = cache;
        this.fast = PrimaryKeyIndex.singleLongKey(schema);
        this.seq = schema.isUniqueKeys() ? schema.sequenceIndex() : -1;
        this.deleteSign = schema.isUniqueKeys() ? schema.deleteSignIndex() : -1;
    }

    /** One segment to search, with its key range decoded for pruning. */
    private record Candidate(RowsetId rowset, int segment, Path file, byte[] min, byte[] max, long minLong,
                             long maxLong) {
    }

    /**
     * Marks for a new rowset.
     *
     * @param newRowset       the new rowset's id
     * @param newSegments     its segments (id order)
     * @param older           rowsets to search (any order; all older than the new one)
     * @param deleted         rows already deleted (aggregate of the current bitmap), not to mark again
     * @param withinRowset    also mark rows superseded inside the new rowset
     */
    public DeleteBitmap calculate(RowsetId newRowset, List<SegmentMeta> newSegments, List<RowsetMeta> older,
                                  Map<SegmentKey, RoaringBitmap> deleted, boolean withinRowset) throws IOException {
        DeleteBitmap out = new DeleteBitmap();
        List<Candidate> candidates = candidates(older);
        int[] keyCols = keyColumns();
        for (int seg = 0; seg < newSegments.size(); seg++) {
            if (newSegments.get(seg).rows() == 0) {
                continue;
            }
            // The segment's keys ascend, so every index is walked with a forward cursor (a merge-join).
            List<Candidate> laterMeta = new ArrayList<>();
            List<PrimaryKeyIndex.Cursor> laterInLoad = new ArrayList<>();
            if (withinRowset) {
                for (int later = seg + 1; later < newSegments.size(); later++) {
                    if (newSegments.get(later).rows() > 0) {
                        Candidate c = candidate(newRowset, later, newSegments.get(later));
                        laterMeta.add(c);
                        laterInLoad.add(cache.get(c.file(), schema).cursor());
                    }
                }
            }
            PrimaryKeyIndex.Cursor[] olderCursors = new PrimaryKeyIndex.Cursor[candidates.size()];
            try (SegmentReader reader = SegmentReader.open(dir.segmentPath(tabletId, newRowset, seg), schema)) {
                SegmentCursor cursor = SegmentCursor.open(reader, 4096, keyCols);
                RowBatch batch = new RowBatch(schema, 4096);
                int rowId = 0;
                while (cursor.next(batch)) {
                    for (int r = 0; r < batch.size(); r++, rowId++) {
                        long lk = fast ? batch.getLong(r, 0) : 0;
                        byte[] ek = fast ? null : KeyCodec.encodeKey(batch, r);
                        long mySeq = seq < 0 ? 0 : batch.isNull(r, seq) ? Long.MIN_VALUE : batch.getLong(r, seq);
                        boolean loses = supersededLater(newRowset, laterMeta, laterInLoad, lk, ek, mySeq, out)
                                || markOlder(candidates, olderCursors, deleted, out, lk, ek, mySeq);
                        // A row that lost to a larger sequence value, or that deletes its key, is
                        // hidden itself: reads skip it, and a later load finds no live row of the key.
                        if (loses || deleteSign >= 0 && batch.getLong(r, deleteSign) != 0) {
                            out.mark(newRowset, seg, 0, rowId);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * The whole delete bitmap of a chain of rowsets, recomputed from scratch: each rowset, oldest
     * first, marks the older rows its keys supersede, stamped with its end version. Used when
     * rowsets copied from a peer replace local ones (their marks can not be converted).
     */
    public DeleteBitmap recompute(List<RowsetMeta> chain) throws IOException {
        List<RowsetMeta> sorted = new ArrayList<>(chain);
        sorted.sort(Comparator.comparing(RowsetMeta::version));
        DeleteBitmap all = new DeleteBitmap();
        for (int i = 0; i < sorted.size(); i++) {
            RowsetMeta r = sorted.get(i);
            DeleteBitmap marks = calculate(r.rowsetId(), r.segments(), sorted.subList(0, i), all.aggregate(), true);
            all.merge(marks.withVersion(r.endVersion()));
        }
        return all;
    }

    /**
     * Whether a later segment of the new rowset holds the key and wins: it is newer, so it wins
     * unless the sequence column says otherwise; a later row with a smaller sequence value loses
     * and is marked here.
     */
    private boolean supersededLater(RowsetId rowset, List<Candidate> meta, List<PrimaryKeyIndex.Cursor> idx, long lk,
                                    byte[] ek, long mySeq, DeleteBitmap out) {
        boolean loses = false;
        for (int i = 0; i < idx.size(); i++) {
            Candidate c = meta.get(i);
            if (!inRange(c, lk, ek)) {
                continue;
            }
            int row = fast ? idx.get(i).find(lk) : idx.get(i).find(ek);
            if (row < 0) {
                continue;
            }
            if (seq < 0 || idx.get(i).sequence(row) >= mySeq) {
                loses = true;
            } else {
                out.mark(rowset, c.segment(), 0, row);
            }
        }
        return loses;
    }

    /**
     * Marks the key's live row in the older rowsets; returns true when that row has a larger
     * sequence value, so the new row loses instead (Doris: the row with the larger sequence wins,
     * the newer one on a tie).
     */
    private boolean markOlder(List<Candidate> candidates, PrimaryKeyIndex.Cursor[] cursors,
                              Map<SegmentKey, RoaringBitmap> deleted, DeleteBitmap out, long lk, byte[] ek, long mySeq)
            throws IOException {
        for (int i = 0; i < cursors.length; i++) {
            Candidate c = candidates.get(i);
            if (!inRange(c, lk, ek)) {
                continue;
            }
            if (cursors[i] == null) {
                cursors[i] = cache.get(c.file(), schema).cursor();
            }
            int row = fast ? cursors[i].find(lk) : cursors[i].find(ek);
            if (row < 0) {
                continue;
            }
            RoaringBitmap gone = deleted.get(new SegmentKey(c.rowset(), c.segment()));
            if (gone != null && gone.contains(row)) {
                continue;
            }
            if (seq >= 0 && cursors[i].sequence(row) > mySeq) {
                return true;
            }
            out.mark(c.rowset(), c.segment(), 0, row);
            return false;
        }
        return false;
    }

    private boolean inRange(Candidate c, long lk, byte[] ek) {
        if (fast) {
            return lk >= c.minLong() && lk <= c.maxLong();
        }
        return Arrays.compareUnsigned(ek, c.min()) >= 0 && Arrays.compareUnsigned(ek, c.max()) <= 0;
    }

    private List<Candidate> candidates(List<RowsetMeta> older) {
        List<RowsetMeta> sorted = new ArrayList<>(older);
        sorted.sort(Comparator.comparing(RowsetMeta::version).reversed());
        List<Candidate> out = new ArrayList<>();
        for (RowsetMeta r : sorted) {
            for (int seg = r.numSegments() - 1; seg >= 0; seg--) {
                SegmentMeta s = r.segments().get(seg);
                if (s.rows() > 0) {
                    out.add(candidate(r.rowsetId(), seg, s));
                }
            }
        }
        return out;
    }

    private Candidate candidate(RowsetId rowset, int seg, SegmentMeta s) {
        return new Candidate(rowset, seg, dir.segmentPath(tabletId, rowset, seg), s.minKey(), s.maxKey(),
                fast ? decodeLong(s.minKey()) : 0, fast ? decodeLong(s.maxKey()) : 0);
    }

    /** Inverse of {@link KeyCodec}'s LONG encoding: big-endian with the sign bit flipped. */
    static long decodeLong(byte[] encoded) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (encoded[i] & 0xFF);
        }
        return v ^ Long.MIN_VALUE;
    }

    /** The key columns, then the sequence and the delete sign when the table has them (ascending). */
    private int[] keyColumns() {
        java.util.TreeSet<Integer> cols = new java.util.TreeSet<>();
        for (int i = 0; i < schema.keyCount(); i++) {
            cols.add(i);
        }
        if (seq >= 0) {
            cols.add(seq);
        }
        if (deleteSign >= 0) {
            cols.add(deleteSign);
        }
        return cols.stream().mapToInt(Integer::intValue).toArray();
    }
}
