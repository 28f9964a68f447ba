package io.compactor.storage.tablet;

import io.compactor.storage.merge.SortedRunSource;
import io.compactor.storage.merge.SourceOrigin;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentCursor;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link SortedRunSource} over segment files: one segment of an OVERLAPPING rowset, or all
 * segments of a NONOVERLAPPING rowset read one after another (their key ranges follow each
 * other). Opens one segment reader at a time and reuses one batch.
 */
final class SegmentRunSource implements SortedRunSource {
    private final SourceOrigin origin;
    private final List<Path> files;
    private final int[] segmentIds;
    private final Schema schema;
    private final int batchRows;
    private final int[] columns;
    private final boolean packVarchar;
    private int next;
    private SegmentReader reader;
    private SegmentCursor cursor;
    private RowBatch batch;
    private int currentSegment = -1;
    private long firstRowId;

    SegmentRunSource(SourceOrigin origin, List<Path> files, int[] segmentIds, Schema schema, int batchRows,
                     int[] columns) {
        this(origin, files, segmentIds, schema, batchRows, columns, false);
    }

    /** {@code packVarchar}: batches keep VARCHAR columns packed ({@link RowBatch#packVarchar}), for scans. */
    SegmentRunSource(SourceOrigin origin, List<Path> files, int[] segmentIds, Schema schema, int batchRows,
                     int[] columns, boolean packVarchar) {
        this.origin = origin;
        this.files = files;
        this.segmentIds = segmentIds;
        this.schema = schema;
        this.batchRows = batchRows;
        this.columns = columns;
        this.packVarchar = packVarchar;
    }

    @Override
    public SourceOrigin origin() {
        return origin;
    }

    @Override
    public RowBatch next() throws IOException {
        while (true) {
            if (cursor == null) {
                if (next >= files.size()) {
                    return null;
                }
                reader = SegmentReader.open(files.get(next), schema);
                cursor = columns == null ? SegmentCursor.open(reader, batchRows)
                        : SegmentCursor.open(reader, batchRows, columns);
                currentSegment = segmentIds[next];
                next++;
                if (batch == null) {
                    // Sized for this segment when it is smaller (the batch grows if a later one is bigger);
                    // a column subset (vertical merge group) gets a narrow batch: only its columns cost memory.
                    int rows = (int) Math.min(batchRows, Math.max(16, reader.rowCount()));
                    batch = columns == null ? new RowBatch(schema, rows) : RowBatch.projection(schema, rows, columns);
                    if (packVarchar) {
                        batch.packVarchar();
                    }
                }
            }
            long position = cursor.position();
            if (cursor.next(batch)) {
                firstRowId = position;
                return batch;
            }
            closeReader();
        }
    }

    @Override
    public int segmentId() {
        return currentSegment;
    }

    @Override
    public long firstRowId() {
        return firstRowId;
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
        }
        reader = null;
        cursor = null;
    }

    @Override
    public void close() {
        closeReader();
    }
}
