package io.compactor.storage.segment;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The parsed footer of a segment: row count, column types, key bounds and one {@link PageIndex}
 * per column. {@link #parse} checks the structure; {@link #checkAgainst} checks it matches the
 * schema the caller expects and that every page lies inside the data area.
 */
final class SegmentFooter {
    final long rowCount;
    final int keyCount;
    final ColumnType[] types;
    final boolean[] nullable;
    final byte[] minKey;
    final byte[] maxKey;
    final PageIndex[] pages;

    SegmentFooter(long rowCount, int keyCount, ColumnType[] types, boolean[] nullable, byte[] minKey, byte[] maxKey,
                  PageIndex[] pages) {
        this.rowCount = rowCount;
        this.keyCount = keyCount;
        this.types = types;
        this.nullable = nullable;
        this.minKey = minKey;
        this.maxKey = maxKey;
        this.pages = pages;
    }

    void writeTo(ByteSink out) {
        out.putInt(SegmentFormat.FORMAT_VERSION);
        out.putLong(rowCount);
        out.putInt(keyCount);
        out.putInt(types.length);
        for (int c = 0; c < types.length; c++) {
            out.putByte(SegmentFormat.typeCode(types[c]));
            out.putByte(nullable[c] ? 1 : 0);
        }
        out.putInt(minKey.length);
        out.putBytes(minKey, 0, minKey.length);
        out.putInt(maxKey.length);
        out.putBytes(maxKey, 0, maxKey.length);
        for (PageIndex p : pages) {
            p.writeTo(out);
        }
    }

    /** Parses footer bytes whose checksum the caller already verified. */
    static SegmentFooter parse(byte[] bytes, Path file) throws CorruptSegmentException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int version = in.getInt();
            if (version != SegmentFormat.FORMAT_VERSION) {
                throw new CorruptSegmentException(file, "unsupported footer format version " + version
                        + " (expected " + SegmentFormat.FORMAT_VERSION + ")");
            }
            long rowCount = in.getLong();
            int keyCount = in.getInt();
            int columns = in.getInt();
            if (rowCount < 0 || columns <= 0 || columns > 100_000 || keyCount < 1 || keyCount > columns) {
                throw new CorruptSegmentException(file, "footer has invalid counts (rows " + rowCount
                        + ", columns " + columns + ", keys " + keyCount + ")");
            }
            ColumnType[] types = new ColumnType[columns];
            boolean[] nullable = new boolean[columns];
            for (int c = 0; c < columns; c++) {
                byte code = in.get();
                types[c] = SegmentFormat.typeOf(code);
                if (types[c] == null) {
                    throw new CorruptSegmentException(file, "footer names unknown type code " + code + " for column " + c);
                }
                nullable[c] = in.get() != 0;
            }
            byte[] minKey = readBytes(in, file, "min key");
            byte[] maxKey = readBytes(in, file, "max key");
            PageIndex[] pages = new PageIndex[columns];
            for (int c = 0; c < columns; c++) {
                int n = in.getInt();
                if (n < 0 || (long) n * SegmentFormat.PAGE_INDEX_ENTRY_BYTES > in.remaining()) {
                    throw new CorruptSegmentException(file, "footer page count " + n + " of column " + c + " is invalid");
                }
                pages[c] = new PageIndex(n);
                for (int p = 0; p < n; p++) {
                    pages[c].add(in.getLong(), in.getInt(), in.getInt(), in.getLong(), in.getInt(), in.getInt());
                }
            }
            if (in.hasRemaining()) {
                throw new CorruptSegmentException(file, "footer has " + in.remaining() + " unexpected trailing bytes");
            }
            return new SegmentFooter(rowCount, keyCount, types, nullable, minKey, maxKey, pages);
        } catch (BufferUnderflowException e) {
            throw new CorruptSegmentException(file, "footer is shorter than its contents", e);
        }
    }

    private static byte[] readBytes(ByteBuffer in, Path file, String what) throws CorruptSegmentException {
        int len = in.getInt();
        if (len < 0 || len > in.remaining()) {
            throw new CorruptSegmentException(file, "footer " + what + " length " + len + " is invalid");
        }
        byte[] b = new byte[len];
        in.get(b);
        return b;
    }

    /**
     * Checks the footer against the expected schema (an error naming the file and the first
     * difference) and checks each column's pages cover every row and lie in {@code [dataStart, dataEnd)}.
     */
    void checkAgainst(Schema schema, Path file, long dataStart, long dataEnd) throws IOException {
        if (types.length != schema.columnCount() || keyCount != schema.keyCount()) {
            throw new SegmentSchemaMismatchException(file, "has " + types.length + " columns (" + keyCount + " key), schema expects "
                    + schema.columnCount() + " (" + schema.keyCount() + " key)");
        }
        for (int c = 0; c < types.length; c++) {
            Column col = schema.column(c);
            if (types[c] != col.type()) {
                throw new SegmentSchemaMismatchException(file, "column " + c + " ('" + col.name() + "') is " + types[c]
                        + " in the file but " + col.type() + " in the schema");
            }
            if (nullable[c] && !col.nullable()) {
                throw new SegmentSchemaMismatchException(file, "column " + c + " ('" + col.name()
                        + "') is nullable in the file but NOT NULL in the schema");
            }
        }
        for (int c = 0; c < pages.length; c++) {
            PageIndex idx = pages[c];
            long expectFirst = 0;
            for (int p = 0; p < idx.pageCount(); p++) {
                long off = idx.offset(p);
                long end = off + idx.storedLength(p) + SegmentFormat.PAGE_CRC_BYTES;
                boolean bad = idx.firstRow(p) != expectFirst || idx.rows(p) <= 0 || idx.storedLength(p) < 0
                        || idx.rawLength(p) < 2 || idx.rawLength(p) > SegmentFormat.MAX_RAW_PAGE_BYTES
                        || idx.storedLength(p) > idx.rawLength(p) || off < dataStart || end > dataEnd;
                if (bad) {
                    throw new CorruptSegmentException(file, "page index entry " + p + " of column '"
                            + schema.column(c).name() + "' is inconsistent (offset " + off + ", stored "
                            + idx.storedLength(p) + ", raw " + idx.rawLength(p) + ", first row " + idx.firstRow(p)
                            + ", rows " + idx.rows(p) + ")");
                }
                expectFirst += idx.rows(p);
            }
            if (expectFirst != rowCount) {
                throw new CorruptSegmentException(file, "pages of column '" + schema.column(c).name() + "' hold "
                        + expectFirst + " rows, footer says " + rowCount);
            }
        }
    }
}
