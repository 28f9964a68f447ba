package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.util.List;

/**
 * A {@link ColumnGroupSink} that assembles the rows it is given group by group, checking the
 * protocol: the key group first, every value group with exactly the key group's rows.
 */
class CollectingGroupSink implements ColumnGroupSink {
    final RowBatch rows;
    private int[] open;
    private int groups;
    private int cursor;
    int maxColumnsInOneBatch;

    CollectingGroupSink(Schema schema) {
        rows = new RowBatch(schema, 64);
    }

    @Override
    public void startGroup(int[] columns) {
        if (open != null) {
            throw new AssertionError("group started while another is open");
        }
        open = columns.clone();
        cursor = 0;
    }

    @Override
    public void accept(RowBatch batch, int from, int to) {
        int held = 0;
        for (int c = 0; c < batch.schema().columnCount(); c++) {
            if (batch.hasColumn(c)) {
                held++;
            }
        }
        maxColumnsInOneBatch = Math.max(maxColumnsInOneBatch, held);
        if (groups == 0) {
            int first = rows.reserveRows(to - from);
            ColumnCopier.copy(batch, from, rows, first, to - from, open);
        } else {
            if (cursor + (to - from) > rows.size()) {
                throw new AssertionError("value group has more rows than the key group");
            }
            ColumnCopier.copy(batch, from, rows, cursor, to - from, open);
            cursor += to - from;
        }
    }

    @Override
    public void finishGroup() {
        if (groups > 0 && cursor != rows.size()) {
            throw new AssertionError("value group ended after " + cursor + " of " + rows.size() + " rows");
        }
        groups++;
        open = null;
        rows.recomputeVarBytes();
    }

    @Override
    public long rowsWritten() {
        return rows.size();
    }

    int groups() {
        return groups;
    }

    List<List<Object>> values() {
        return MergeFixtures.values(rows);
    }
}
