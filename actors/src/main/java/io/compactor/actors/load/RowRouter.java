package io.compactor.actors.load;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;

/** Splits a load's rows into one batch per bucket by the hash of the key columns. */
public final class RowRouter {
    private RowRouter() {
    }

    /** Returns one batch per bucket (index = bucket), empty batches for buckets with no rows. */
    public static RowBatch[] route(TableMeta table, RowBatch rows) {
        int buckets = table.buckets();
        RowBatch[] out = new RowBatch[buckets];
        int expected = Math.max(16, rows.size() / buckets + rows.size() / (buckets * 8) + 16);
        for (int b = 0; b < buckets; b++) {
            out[b] = new RowBatch(table.schema(), buckets == 1 ? Math.max(16, rows.size()) : expected);
        }
        if (buckets == 1) {
            for (int r = 0; r < rows.size(); r++) {
                out[0].appendRow(rows, r);
            }
            return out;
        }
        for (int r = 0; r < rows.size(); r++) {
            out[Math.floorMod(rows.keyHash(r), buckets)].appendRow(rows, r);
        }
        return out;
    }
}
