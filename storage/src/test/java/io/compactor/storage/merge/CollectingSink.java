package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps every row it is given, and counts its calls. */
class CollectingSink implements MergeSink {
    final RowBatch rows;
    int calls;

    CollectingSink(Schema schema) {
        rows = new RowBatch(schema, 64);
    }

    @Override
    public void accept(RowBatch batch, int from, int to) {
        calls++;
        rows.appendRange(batch, from, to);
    }

    @Override
    public long rowsWritten() {
        return rows.size();
    }

    List<List<Object>> values() {
        return MergeFixtures.values(rows);
    }
}
