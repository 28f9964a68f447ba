package io.compactor.storage.mow;

import io.compactor.storage.RowsetId;
import io.compactor.storage.merge.RowIdConversion;
import io.compactor.storage.rowset.RowsetMeta;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * A merge-on-write tablet's delete bitmap, as Doris keeps it: {@code (rowset, segment, version) ->
 * row ids} of rows superseded by a newer row with the same key, written by the load that published
 * {@code version}. A row is deleted when any entry of its segment marks it ({@link #aggregate()}).
 *
 * <p>Not thread-safe: the tablet actor owns the live bitmap. The aggregate it hands to readers is
 * an immutable snapshot (its bitmaps are never changed after publication), cached until the next
 * change.
 */
public final class DeleteBitmap {
    private final TreeMap<DeleteBitmapKey, RoaringBitmap> entries = new TreeMap<>();
    private Map<SegmentKey, RoaringBitmap> aggregate;

    public static DeleteBitmap load(Map<DeleteBitmapKey, byte[]> stored) {
        DeleteBitmap b = new DeleteBitmap();
        for (var e : stored.entrySet()) {
            b.entries.put(e.getKey(), deserialize(e.getValue()));
        }
        return b;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Marks one row. */
    public void mark(RowsetId rowset, int segment, long version, int row) {
        entries.computeIfAbsent(new DeleteBitmapKey(rowset, segment, version), k -> new RoaringBitmap()).add(row);
        aggregate = null;
    }

    /** Marks rows (the bitmap is copied). */
    public void markAll(RowsetId rowset, int segment, long version, RoaringBitmap rows) {
        if (rows.isEmpty()) {
            return;
        }
        entries.computeIfAbsent(new DeleteBitmapKey(rowset, segment, version), k -> new RoaringBitmap()).or(rows);
        aggregate = null;
    }

    /** Adds every entry of {@code other}. */
    public void merge(DeleteBitmap other) {
        for (var e : other.entries.entrySet()) {
            markAll(e.getKey().rowsetId(), e.getKey().segmentId(), e.getKey().version(), e.getValue());
        }
    }

    /** The same entries with every version replaced by {@code version} (a load's marks, once it has one). */
    public DeleteBitmap withVersion(long version) {
        DeleteBitmap b = new DeleteBitmap();
        for (var e : entries.entrySet()) {
            b.markAll(e.getKey().rowsetId(), e.getKey().segmentId(), version, e.getValue());
        }
        return b;
    }

    /** Removes every entry on one of these rowsets; returns how many entries went. */
    public int removeRowsets(Set<RowsetId> rowsets) {
        int before = entries.size();
        entries.keySet().removeIf(k -> rowsets.contains(k.rowsetId()));
        if (entries.size() != before) {
            aggregate = null;
        }
        return before - entries.size();
    }

    /**
     * Merge-on-write compaction: every mark on a row of {@code inputs} moved to the output row it
     * became ({@code output}, through the merge's row-id map), keeping its version; marks on rows
     * the merge dropped vanish with them. {@code conversion} indexes inputs by their position in
     * {@code inputs}.
     */
    public DeleteBitmap convertedTo(List<RowsetMeta> inputs, RowsetId output, RowIdConversion conversion) {
        DeleteBitmap out = new DeleteBitmap();
        Set<RowsetId> ids = new HashSet<>();
        for (RowsetMeta r : inputs) {
            ids.add(r.rowsetId());
        }
        var on = entriesOn(ids);
        if (on.isEmpty()) {
            return out;
        }
        if (conversion == null) {
            throw new IllegalStateException("rowset " + output + ": merge-on-write compaction without row-id map");
        }
        for (var e : on.entrySet()) {
            int index = -1;
            for (int i = 0; i < inputs.size(); i++) {
                if (inputs.get(i).rowsetId().equals(e.getKey().rowsetId())) {
                    index = i;
                }
            }
            for (var c : conversion.convert(index, e.getKey().segmentId(), e.getValue()).entrySet()) {
                out.markAll(output, c.getKey(), e.getKey().version(), c.getValue());
            }
        }
        return out;
    }

    /** Entries on rowsets in {@code rowsets}. */
    public Map<DeleteBitmapKey, RoaringBitmap> entriesOn(Set<RowsetId> rowsets) {
        Map<DeleteBitmapKey, RoaringBitmap> out = new TreeMap<>();
        for (var e : entries.entrySet()) {
            if (rowsets.contains(e.getKey().rowsetId())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The rowsets that have entries. */
    public Set<RowsetId> rowsets() {
        Set<RowsetId> out = new HashSet<>();
        for (DeleteBitmapKey k : entries.keySet()) {
            out.add(k.rowsetId());
        }
        return out;
    }

    /**
     * Union of all versions per segment: the rows a reader must skip. Immutable snapshot, shared
     * by readers until the bitmap changes.
     */
    public Map<SegmentKey, RoaringBitmap> aggregate() {
        if (aggregate == null) {
            Map<SegmentKey, RoaringBitmap> agg = new HashMap<>();
            for (var e : entries.entrySet()) {
                SegmentKey k = new SegmentKey(e.getKey().rowsetId(), e.getKey().segmentId());
                agg.computeIfAbsent(k, x -> new RoaringBitmap()).or(e.getValue());
            }
            for (RoaringBitmap b : agg.values()) {
                b.runOptimize();
            }
            aggregate = Collections.unmodifiableMap(agg);
        }
        return aggregate;
    }

    /**
     * The rows a reader of version {@code upTo} must skip: the union per segment of the marks of
     * versions up to it (marks of later loads are not visible at that version).
     */
    public Map<SegmentKey, RoaringBitmap> aggregateUpTo(long upTo) {
        Map<SegmentKey, RoaringBitmap> agg = new HashMap<>();
        for (var e : entries.entrySet()) {
            if (e.getKey().version() <= upTo) {
                agg.computeIfAbsent(new SegmentKey(e.getKey().rowsetId(), e.getKey().segmentId()),
                        x -> new RoaringBitmap()).or(e.getValue());
            }
        }
        return Collections.unmodifiableMap(agg);
    }

    public Map<DeleteBitmapKey, RoaringBitmap> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** Number of entries. */
    public int count() {
        return entries.size();
    }

    /** Sum of the entries' cardinalities. */
    public long cardinality() {
        long n = 0;
        for (RoaringBitmap b : entries.values()) {
            n += b.getLongCardinality();
        }
        return n;
    }

    /** Serialized size of all entries in bytes. */
    public long sizeBytes() {
        long n = 0;
        for (RoaringBitmap b : entries.values()) {
            n += b.serializedSizeInBytes();
        }
        return n;
    }

    public static byte[] serialize(RoaringBitmap b) {
        b.runOptimize();
        ByteBuffer buf = ByteBuffer.allocate(b.serializedSizeInBytes());
        b.serialize(buf);
        return buf.array();
    }

    public static RoaringBitmap deserialize(byte[] bytes) {
        RoaringBitmap b = new RoaringBitmap();
        try {
            b.deserialize(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt delete bitmap entry", e);
        }
        return b;
    }
}
