package io.compactor.storage.segment;

import io.compactor.storage.schema.ColumnType;

/**
 * Constants of the segment file format, version 1. All integers are little-endian.
 *
 * <pre>
 * header   "CSEG" u32 formatVersion
 * pages    per page: LZ4 block (or the raw bytes when LZ4 does not shrink them), then the
 *          CRC32C of those stored bytes (4 bytes). Pages of different columns may interleave;
 *          the page index says where each one is.
 * footer   u32 formatVersion, u64 rowCount, u32 keyCount, u32 columnCount,
 *          per column (u8 typeCode, u8 nullable),
 *          u32 minKeyLength, minKey, u32 maxKeyLength, maxKey  (KeyCodec encodings),
 *          per column: u32 pageCount, per page (u64 offset, u32 storedLength,
 *          u32 rawLength, u64 firstRow, u32 rows, u32 crc)
 * trailer  u32 footerCrc32c, u32 footerLength, "CSEG"
 * </pre>
 *
 * A page is stored uncompressed exactly when its stored length equals its raw length. The raw
 * bytes of a page are {@code u8 encoding, u8 hasNulls, [null bitmap]} followed by values (see
 * {@link ColumnPageBuilder}).
 */
final class SegmentFormat {
    static final byte[] MAGIC = {'C', 'S', 'E', 'G'};
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int TRAILER_BYTES = 12;
    static final int PAGE_CRC_BYTES = 4;
    static final int PAGE_INDEX_ENTRY_BYTES = 32;

    /** Default maximum rows in one page. */
    static final int DEFAULT_PAGE_ROWS = 4096;
    /** A page is cut once its raw size reaches this, whatever its row count. */
    static final int TARGET_PAGE_BYTES = 64 * 1024;
    /** Sanity bound on a raw page (one VARCHAR value may reach 1 MiB; several such are allowed). */
    static final int MAX_RAW_PAGE_BYTES = 256 * 1024 * 1024;

    static final byte ENCODING_PLAIN = 0;
    static final byte ENCODING_FOR = 1;

    private SegmentFormat() {
    }

    /** The stable on-disk code of a column type (never its enum ordinal). */
    static byte typeCode(ColumnType t) {
        return switch (t) {
            case INT -> 1;
            case BIGINT -> 2;
            case DOUBLE -> 3;
            case VARCHAR -> 4;
            case DATE -> 5;
            case DATETIME -> 6;
        };
    }

    /** The column type of an on-disk code, or {@code null} if the code is unknown. */
    static ColumnType typeOf(byte code) {
        return switch (code) {
            case 1 -> ColumnType.INT;
            case 2 -> ColumnType.BIGINT;
            case 3 -> ColumnType.DOUBLE;
            case 4 -> ColumnType.VARCHAR;
            case 5 -> ColumnType.DATE;
            case 6 -> ColumnType.DATETIME;
            default -> null;
        };
    }
}
