package io.compactor.storage.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable columnar batch of rows of one {@link Schema}. Each column is one primitive array
 * ({@code long[]}, {@code double[]} or {@code byte[][]} of UTF-8) plus a null-flag array for
 * nullable columns. Not thread-safe: a batch belongs to one writer or reader at a time.
 *
 * <p>Key comparison ({@link #compareKeys}) orders rows by the key columns in schema order: longs
 * and doubles numerically, VARCHAR by unsigned bytes.
 */
public final class RowBatch {
    private final Schema schema;
    private final ColumnType.Physical[] physical;
    private final long[][] longs;
    private final double[][] doubles;
    private final byte[][][] bytes;
    private final boolean[][] nulls;
    /** Which columns have arrays; {@code null} when all do. */
    private final boolean[] present;
    private final int presentCount;
    private int size;
    private int capacity;
    private long varBytes;
    /** Set by {@link #packVarchar}: which VARCHAR columns are packed, and their values. */
    private PackedBytes packed;

    public RowBatch(Schema schema, int initialCapacity) {
        this(schema, initialCapacity, null);
    }

    /**
     * A batch that holds only {@code columns} of the schema (a vertical merge's column group): the
     * other columns get no arrays, so a narrow batch of a wide schema costs only its own columns.
     * Reading or copying an absent column fails; {@link #hasColumn} tells which are present.
     */
    public static RowBatch projection(Schema schema, int initialCapacity, int[] columns) {
        boolean[] present = new boolean[schema.columnCount()];
        for (int c : columns) {
            if (c < 0 || c >= present.length) {
                throw new IllegalArgumentException("no column " + c + " in " + schema);
            }
            present[c] = true;
        }
        return new RowBatch(schema, initialCapacity, present);
    }

    private RowBatch(Schema schema, int initialCapacity, boolean[] present) {
        this.schema = schema;
        int n = schema.columnCount();
        this.present = present;
        int count = 0;
        for (int c = 0; c < n; c++) {
            if (present == null || present[c]) {
                count++;
            }
        }
        this.presentCount = count;
        this.capacity = Math.max(16, initialCapacity);
        this.physical = new ColumnType.Physical[n];
        this.longs = new long[n][];
        this.doubles = new double[n][];
        this.bytes = new byte[n][][];
        this.nulls = new boolean[n][];
        for (int c = 0; c < n; c++) {
            Column col = schema.column(c);
            physical[c] = col.type().physical();
            if (present != null && !present[c]) {
                continue;
            }
            switch (physical[c]) {
                case LONG -> longs[c] = new long[capacity];
                case DOUBLE -> doubles[c] = new double[capacity];
                case BYTES -> bytes[c] = new byte[capacity][];
            }
            if (col.nullable()) {
                nulls[c] = new boolean[capacity];
            }
        }
    }

    public Schema schema() {
        return schema;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether the batch holds column {@code col} (always, unless it is a {@link #projection}). */
    public boolean hasColumn(int col) {
        return present == null || present[col];
    }

    /** Removes all rows, keeping the allocated arrays. */
    public void clear() {
        for (int c = 0; c < bytes.length; c++) {
            if (bytes[c] != null && (packed == null || !packed.clear(c))) {
                Arrays.fill(bytes[c], 0, size, null);
            }
        }
        size = 0;
        varBytes = 0;
    }

    /** Bytes of the VARCHAR values of the rows. */
    public long varBytes() {
        return varBytes;
    }

    /** Approximate memory held by the rows: 8 bytes a fixed value plus VARCHAR payloads. */
    public long estimatedBytes() {
        return (long) size * presentCount * 8L + varBytes;
    }

    private void ensureCapacity(int needed) {
        if (needed <= capacity) {
            return;
        }
        int newCap = Math.max(needed, capacity + (capacity >> 1));
        for (int c = 0; c < physical.length; c++) {
            if (!hasColumn(c)) {
                continue;
            }
            switch (physical[c]) {
                case LONG -> longs[c] = Arrays.copyOf(longs[c], newCap);
                case DOUBLE -> doubles[c] = Arrays.copyOf(doubles[c], newCap);
                case BYTES -> bytes[c] = Arrays.copyOf(bytes[c], newCap);
            }
            if (nulls[c] != null) {
                nulls[c] = Arrays.copyOf(nulls[c], newCap);
            }
        }
        capacity = newCap;
    }

    /**
     * Starts a new row and returns its index. Every column of the row must then be set with
     * {@link #setLong}, {@link #setDouble}, {@link #setBytes} or {@link #setNull}.
     */
    public int addRow() {
        ensureCapacity(size + 1);
        int r = size++;
        for (int c = 0; c < nulls.length; c++) {
            if (nulls[c] != null) {
                nulls[c][r] = false;
            }
        }
        return r;
    }

    /** Drops the last row (used when a parsed row turns out to be invalid). */
    public void removeLastRow() {
        if (size == 0) {
            throw new IllegalStateException("batch is empty");
        }
        size--;
        for (int c = 0; c < bytes.length; c++) {
            if (bytes[c] != null && bytesOf(c) != null && bytes[c][size] != null) {
                varBytes -= bytes[c][size].length;
                bytes[c][size] = null;
            }
        }
    }

    public void setLong(int row, int col, long v) {
        longs[col][row] = v;
    }

    public void setDouble(int row, int col, double v) {
        doubles[col][row] = v;
    }

    public void setBytes(int row, int col, byte[] v) {
        byte[] old = bytesOf(col)[row];
        if (old != null) {
            varBytes -= old.length;
        }
        bytes[col][row] = v;
        varBytes += v.length;
    }

    /** Marks a value as not NULL (the setters do not touch the NULL flag). */
    public void clearNull(int row, int col) {
        if (nulls[col] != null) {
            nulls[col][row] = false;
        }
    }

    public void setNull(int row, int col) {
        if (nulls[col] == null) {
            throw new IllegalArgumentException("column '" + schema.column(col).name() + "' is not nullable");
        }
        nulls[col][row] = true;
        switch (physical[col]) {
            case LONG -> longs[col][row] = 0;
            case DOUBLE -> doubles[col][row] = 0;
            case BYTES -> setBytes(row, col, EMPTY);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    public boolean isNull(int row, int col) {
        return nulls[col] != null && nulls[col][row];
    }

    public long getLong(int row, int col) {
        return longs[col][row];
    }

    public double getDouble(int row, int col) {
        return doubles[col][row];
    }

    public byte[] getBytes(int row, int col) {
        return bytesOf(col)[row];
    }

    /** Length of a VARCHAR value; allocates nothing, even for a packed column ({@link #packVarchar}). */
    public int bytesLength(int row, int col) {
        return packed != null && packed.isPacked(col) ? packed.length(col, row) : bytes[col][row].length;
    }

    /** Copies a VARCHAR value ({@link #bytesLength} bytes) into {@code dst} at {@code offset}; allocates nothing. */
    public void copyBytes(int row, int col, byte[] dst, int offset) {
        copyBytes(row, row + 1, col, dst, offset);
    }

    /** Copies the VARCHAR values of rows {@code [from, to)} one after another into {@code dst}; returns the bytes. */
    public int copyBytes(int from, int to, int col, byte[] dst, int offset) {
        if (packed != null && packed.isPacked(col)) {
            return packed.copy(col, from, to, dst, offset);
        }
        int at = offset;
        for (int r = from; r < to; r++) {
            System.arraycopy(bytes[col][r], 0, dst, at, bytes[col][r].length);
            at += bytes[col][r].length;
        }
        return at - offset;
    }

    /**
     * Lets segment reads ({@link #appendPacked}) keep VARCHAR columns packed (payload and offsets)
     * until a caller needs one array per value, for scans. Every accessor works either way.
     */
    public void packVarchar() {
        if (packed == null) {
            packed = new PackedBytes(bytes.length);
        }
    }

    /**
     * Fills reserved rows {@code [destRow, destRow + n)} of VARCHAR column {@code col} with the
     * values {@code src[srcOffsets[from + i] .. srcOffsets[from + i + 1])}, packed, if the batch
     * packs ({@link #packVarchar}) and the rows start the column or follow its packed rows;
     * otherwise returns false and the caller sets the values one by one.
     */
    public boolean appendPacked(int col, int destRow, byte[] src, int[] srcOffsets, int from, int n) {
        long added = packed == null ? -1 : packed.append(col, destRow, src, srcOffsets, from, n, bytes[col]);
        if (added >= 0) {
            varBytes += added;
        }
        return added >= 0;
    }

    /** Column {@code c}'s per-value arrays, materializing it first if it is packed. */
    private byte[][] bytesOf(int c) {
        if (packed != null && packed.isPacked(c)) {
            packed.materialize(c, bytes[c]);
        }
        return bytes[c];
    }

    /** Direct access to a LONG column's array (valid up to {@link #size()}); for codecs. */
    public long[] longColumn(int col) {
        return longs[col];
    }

    /** Direct access to a DOUBLE column's array (valid up to {@link #size()}); for codecs. */
    public double[] doubleColumn(int col) {
        return doubles[col];
    }

    /** Direct access to a BYTES column's array (valid up to {@link #size()}); for codecs. */
    public byte[][] bytesColumn(int col) {
        return bytesOf(col);
    }

    /** Null flags of a nullable column, or {@code null} for a NOT NULL column. */
    public boolean[] nullColumn(int col) {
        return nulls[col];
    }

    /**
     * Appends {@code count} values of one column from a codec: the caller fills the arrays
     * returned by the accessors after calling this to reserve room. Returns the first row index.
     * All columns must be filled for the reserved rows before the batch is used.
     */
    public int reserveRows(int count) {
        ensureCapacity(size + count);
        int first = size;
        size += count;
        return first;
    }

    /** Recomputes the VARCHAR payload total after a codec filled BYTES columns directly. */
    public void recomputeVarBytes() {
        long v = 0;
        for (int c = 0; c < bytes.length; c++) {
            byte[][] col = bytesOf(c);
            if (col != null) {
                for (int r = 0; r < size; r++) {
                    if (col[r] != null) {
                        v += col[r].length;
                    }
                }
            }
        }
        varBytes = v;
    }

    /** Copies row {@code srcRow} of {@code src} (same schema) to the end of this batch. */
    public int appendRow(RowBatch src, int srcRow) {
        ensureCapacity(size + 1);
        int r = size++;
        for (int c = 0; c < physical.length; c++) {
            if (!hasColumn(c)) {
                continue;
            }
            switch (physical[c]) {
                case LONG -> longs[c][r] = src.longs[c][srcRow];
                case DOUBLE -> doubles[c][r] = src.doubles[c][srcRow];
                case BYTES -> {
                    byte[] v = src.bytesOf(c)[srcRow];
                    bytesOf(c)[r] = v;
                    varBytes += v.length;
                }
            }
            if (nulls[c] != null) {
                nulls[c][r] = src.nulls[c] != null && src.nulls[c][srcRow];
            }
        }
        return r;
    }

    /**
     * Copies rows {@code [from, to)} of {@code src} (same schema, every column filled) to the end
     * of this batch, one array copy per column. VARCHAR values are shared, not duplicated: they
     * are immutable once in a batch. Returns the index of the first appended row. Merges call it
     * once per run of rows from one source, often a single row, which takes a per-value path.
     */
    public int appendRange(RowBatch src, int from, int to) {
        int n = to - from;
        if (from < 0 || n < 0 || to > src.size) {
            throw new IndexOutOfBoundsException("row range [" + from + ", " + to + ") outside batch of "
                    + src.size + " rows");
        }
        ensureCapacity(size + n);
        int first = size;
        if (n == 1) {
            appendRow(src, from);
            return first;
        }
        for (int c = 0; c < physical.length; c++) {
            if (!hasColumn(c)) {
                continue;
            }
            switch (physical[c]) {
                case LONG -> System.arraycopy(src.longs[c], from, longs[c], first, n);
                case DOUBLE -> System.arraycopy(src.doubles[c], from, doubles[c], first, n);
                case BYTES -> {
                    byte[][] s = src.bytesOf(c);
                    byte[][] d = bytesOf(c);
                    long added = 0;
                    for (int i = 0; i < n; i++) {
                        byte[] v = s[from + i];
                        d[first + i] = v;
                        added += v.length;
                    }
                    varBytes += added;
                }
            }
            if (nulls[c] != null) {
                if (src.nulls[c] != null) {
                    System.arraycopy(src.nulls[c], from, nulls[c], first, n);
                } else {
                    Arrays.fill(nulls[c], first, first + n, false);
                }
            }
        }
        size += n;
        return first;
    }

    /**
     * Appends the rows {@code rows[0..count)} of {@code src} (same schema, holding every column
     * this batch holds), in that order: a gather, one tight loop per column. Returns the index of
     * the first appended row. VARCHAR values are shared, as in {@link #appendRange}.
     */
    public int appendRows(RowBatch src, int[] rows, int count) {
        return RowGather.appendRows(this, src, rows, count);
    }

    /** Adds to the VARCHAR payload total after a codec set BYTES values directly. */
    void addVarBytes(long n) {
        varBytes += n;
    }

    /** Copies the columns {@code [fromCol, toCol)} of a source row into an existing row. */
    public void copyColumns(int row, RowBatch src, int srcRow, int fromCol, int toCol) {
        for (int c = fromCol; c < toCol; c++) {
            if (!hasColumn(c)) {
                continue;
            }
            switch (physical[c]) {
                case LONG -> longs[c][row] = src.longs[c][srcRow];
                case DOUBLE -> doubles[c][row] = src.doubles[c][srcRow];
                case BYTES -> setBytes(row, c, src.bytesOf(c)[srcRow]);
            }
            if (nulls[c] != null) {
                nulls[c][row] = src.nulls[c] != null && src.nulls[c][srcRow];
            }
        }
    }

    /** Compares the key columns of row {@code a} of this batch with row {@code b} of {@code other}. */
    public int compareKeys(int a, RowBatch other, int b) {
        int keys = schema.keyCount();
        for (int c = 0; c < keys; c++) {
            int cmp = switch (physical[c]) {
                case LONG -> Long.compare(longs[c][a], other.longs[c][b]);
                case DOUBLE -> Double.compare(doubles[c][a], other.doubles[c][b]);
                case BYTES -> Arrays.compareUnsigned(bytesOf(c)[a], other.bytesOf(c)[b]);
            };
            if (cmp != 0) {
                return cmp;
            }
        }
        return 0;
    }

    /** Compares the key of row {@code a} with an encoded key (see {@link KeyCodec}). */
    public int compareKeyTo(int a, byte[] encodedKey) {
        return Arrays.compareUnsigned(KeyCodec.encodeKey(this, a), encodedKey);
    }

    /** Hash of the key columns of a row, used to route rows to buckets. Stable across runs. */
    public int keyHash(int row) {
        int h = 17;
        for (int c = 0; c < schema.keyCount(); c++) {
            long v = switch (physical[c]) {
                case LONG -> longs[c][row];
                case DOUBLE -> Double.doubleToLongBits(doubles[c][row]);
                case BYTES -> Arrays.hashCode(bytesOf(c)[row]);
            };
            h = 31 * h + Long.hashCode(v * 0x9E3779B97F4A7C15L);
        }
        return h ^ (h >>> 16);
    }

    /**
     * The value of a cell as a Java object: {@code Long} for INT/BIGINT, {@code Double}, {@code
     * String} for VARCHAR, {@code String} ISO text for DATE/DATETIME, or {@code null}.
     */
    public Object value(int row, int col) {
        if (isNull(row, col)) {
            return null;
        }
        ColumnType t = schema.column(col).type();
        return switch (t) {
            case INT, BIGINT -> longs[col][row];
            case DOUBLE -> doubles[col][row];
            case VARCHAR -> packed != null && packed.isPacked(col) ? packed.string(col, row)
                    : new String(bytes[col][row], StandardCharsets.UTF_8);
            case DATE -> ValueFormat.formatDate(longs[col][row]);
            case DATETIME -> ValueFormat.formatDateTime(longs[col][row]);
        };
    }

    /** The value of a cell as the text a CSV scan prints ({@code \N} for NULL). */
    public String text(int row, int col) {
        Object v = value(row, col);
        if (v == null) {
            return "\\N";
        }
        return v instanceof Double d ? ValueFormat.formatDouble(d) : v.toString();
    }
}
