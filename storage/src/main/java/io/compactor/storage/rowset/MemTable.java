package io.compactor.storage.rowset;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;

/**
 * The rows of a load not yet flushed to a segment, in arrival order, and their key order.
 *
 * <p>{@link #sortedOrder()} returns row indices sorted by key. For {@code UNIQUE_KEYS} rows with
 * equal keys collapse to the last one appended (the newest); for {@code DUPLICATE_KEYS} every
 * row is kept and equal keys keep their arrival order. Keys made only of LONG/DOUBLE columns
 * sort with a stable primitive radix sort (one pass group per key column, last column first);
 * keys with a VARCHAR column use a stable merge sort on {@link RowBatch#compareKeys}. Input that
 * is already in key order is detected in one scan and not sorted.
 *
 * <p>Not thread-safe. VARCHAR values are shared with the source batch, never modified.
 */
public final class MemTable {
    private final Schema schema;
    private final RowBatch own;
    private RowBatch rows;
    private final boolean fixedWidthKeys;
    private final RadixKeySort radix = new RadixKeySort();

    public MemTable(Schema schema) {
        this(schema, 1024);
    }

    public MemTable(Schema schema, int initialRows) {
        this.schema = schema;
        this.own = new RowBatch(schema, initialRows);
        this.rows = own;
        boolean fixed = true;
        for (int c = 0; c < schema.keyCount(); c++) {
            fixed &= schema.column(c).type().physical() != ColumnType.Physical.BYTES;
        }
        this.fixedWidthKeys = fixed;
    }

    public Schema schema() {
        return schema;
    }

    /** Copies one row of {@code batch} (same schema) into the memtable. */
    public void add(RowBatch batch, int row) {
        ownRows().appendRow(batch, row);
    }

    /**
     * Makes {@code batch} (same schema) the memtable's rows without copying them; the memtable
     * must be empty. The memtable only reads it, and lets go of it at {@link #clear()}; the
     * caller must not change it meanwhile. Adding rows afterwards copies it first.
     */
    public void adopt(RowBatch batch) {
        if (!isEmpty()) {
            throw new IllegalStateException("adopt into a memtable that holds " + rowCount() + " rows");
        }
        rows = batch;
    }

    private RowBatch ownRows() {
        if (rows != own) {
            RowBatch shared = rows;
            rows = own;
            own.appendRange(shared, 0, shared.size());
        }
        return own;
    }

    /** Copies rows {@code [from, to)} of {@code batch}. */
    public void addRange(RowBatch batch, int from, int to) {
        RowBatch into = ownRows();
        for (int r = from; r < to; r++) {
            into.appendRow(batch, r);
        }
    }

    public int rowCount() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Approximate memory held by the rows (see {@link RowBatch#estimatedBytes()}). */
    public long estimatedBytes() {
        return rows.estimatedBytes();
    }

    /** The rows in arrival order; indices in {@link #sortedOrder()} refer to this batch. */
    public RowBatch rows() {
        return rows;
    }

    /** Drops all rows, keeping the allocated arrays for the next memtable. */
    public void clear() {
        if (rows != own) {
            rows = own;
        }
        own.clear();
    }

    /**
     * Row indices in key order; for UNIQUE_KEYS one per key (the last appended), for
     * DUPLICATE_KEYS all rows, stable.
     */
    public int[] sortedOrder() {
        int n = rows.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (!isSorted()) {
            if (fixedWidthKeys) {
                for (int c = schema.keyCount() - 1; c >= 0; c--) {
                    if (schema.column(c).type().physical() == ColumnType.Physical.LONG) {
                        radix.sortByLongColumn(rows.longColumn(c), order, n);
                    } else {
                        radix.sortByDoubleColumn(rows.doubleColumn(c), order, n);
                    }
                }
            } else {
                RowBatch b = rows;
                IntMergeSort.sort(order, n, (x, y) -> b.compareKeys(x, b, y));
            }
        }
        return schema.isUniqueKeys() ? keepLastOfEqualKeys(order) : order;
    }

    private boolean isSorted() {
        for (int r = 1; r < rows.size(); r++) {
            if (rows.compareKeys(r - 1, rows, r) > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * One row per key: the last appended, or with a sequence column the one with the largest
     * sequence value (NULL smallest; the last appended on a tie), as Doris's memtable keeps.
     */
    private int[] keepLastOfEqualKeys(int[] order) {
        int n = order.length;
        int seq = schema.sequenceIndex();
        int kept = 0;
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (seq >= 0 && (best < 0 || !lessSequence(order[i], best))) {
                best = order[i];
            }
            if (i == n - 1 || rows.compareKeys(order[i], rows, order[i + 1]) != 0) {
                order[kept++] = seq >= 0 ? best : order[i];
                best = -1;
            }
        }
        return kept == n ? order : java.util.Arrays.copyOf(order, kept);
    }

    /** Whether row a's sequence value is smaller than row b's (NULL is the smallest). */
    private boolean lessSequence(int a, int b) {
        int seq = schema.sequenceIndex();
        boolean na = rows.isNull(a, seq);
        boolean nb = rows.isNull(b, seq);
        if (na || nb) {
            return na && !nb;
        }
        return rows.getLong(a, seq) < rows.getLong(b, seq);
    }
}
