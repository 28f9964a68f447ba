package io.compactor.storage.load;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;

/**
 * Applies a load's {@link LoadRules} to its parsed rows, after parsing and before routing:
 * {@code where} (rows it does not select are unselected, not loaded), the delete sign of
 * {@code merge_type} / {@code delete}, and the sequence value from
 * {@code function_column.sequence_col}. {@link #check} validates the rules against the table
 * first, with Doris's frontend messages.
 */
public final class RowRules {
    private RowRules() {
    }

    /**
     * Checks that the table can take a load with these options.
     *
     * @throws IllegalArgumentException with Doris's message (merge type on a duplicate-key table,
     *                                  a sequence column missing on either side, partial update
     *                                  of a table without merge-on-write)
     */
    public static void check(Schema schema, String table, LoadOptions options) {
        LoadRules r = options.rules();
        if (r.mergeType() != MergeType.APPEND) {
            if (!schema.isUniqueKeys()) {
                throw new IllegalArgumentException("load by MERGE or DELETE is only supported in unique tables.");
            }
            if (schema.deleteSignIndex() < 0) {
                throw new IllegalArgumentException(
                        "load by MERGE or DELETE need to upgrade table to support batch delete.");
            }
        }
        if (r.partialColumns() && !schema.isUniqueKeys()) {
            throw new IllegalArgumentException("Only unique key merge on write support partial update");
        }
        boolean tableHasSequence = schema.sequenceIndex() >= 0;
        if (tableHasSequence && r.sequenceSource() == null && !r.partialColumns()) {
            throw new IllegalArgumentException("Table " + table
                    + " has sequence column, need to specify the sequence column");
        }
        if (!tableHasSequence && r.sequenceSource() != null) {
            throw new IllegalArgumentException("There is no sequence column in the table " + table);
        }
        if (tableHasSequence && r.sequenceSource() != null) {
            int source = schema.indexOf(r.sequenceSource());
            if (source < 0) {
                throw new IllegalArgumentException("There is no column matching sequence column "
                        + r.sequenceSource() + " in table " + table);
            }
            if (schema.column(source).type() != schema.column(schema.sequenceIndex()).type()) {
                throw new IllegalArgumentException("sequence column " + r.sequenceSource() + " is "
                        + schema.column(source).typeString() + " but the table's sequence type is "
                        + schema.column(schema.sequenceIndex()).typeString());
            }
            boolean given = false;
            for (int c : RowParser.inputColumns(schema, options)) {
                given |= c == source;
            }
            if (!given) {
                throw new IllegalArgumentException("sequence column " + r.sequenceSource()
                        + " is not among the load's columns");
            }
        }
        if (r.where() != null) {
            r.where().bind(schema);
        }
        if (r.deleteOn() != null) {
            r.deleteOn().bind(schema);
        }
    }

    /** The parsed rows with the rules applied (see the class comment). */
    public static ParsedLoad apply(Schema schema, LoadOptions options, ParsedLoad parsed) {
        LoadRules r = options.rules();
        RowBatch rows = parsed.rows();
        ParsedLoad out = parsed;
        if (r.where() != null) {
            LoadExpr.Bound where = r.where().bind(schema);
            int[] keep = new int[rows.size()];
            int n = 0;
            for (int i = 0; i < rows.size(); i++) {
                if (where.test(rows, i)) {
                    keep[n++] = i;
                }
            }
            if (n < rows.size()) {
                RowBatch selected = new RowBatch(schema, Math.max(1, n));
                selected.appendRows(rows, keep, n);
                out = parsed.withUnselected(selected, rows.size() - n);
                rows = selected;
            }
        }
        int sign = schema.deleteSignIndex();
        if (sign >= 0 && r.mergeType() != MergeType.APPEND) {
            LoadExpr.Bound deleteOn = r.deleteOn() == null ? null : r.deleteOn().bind(schema);
            for (int i = 0; i < rows.size(); i++) {
                boolean delete = r.mergeType() == MergeType.DELETE || deleteOn.test(rows, i);
                rows.setLong(i, sign, delete ? 1 : 0);
            }
        }
        int seq = schema.sequenceIndex();
        if (seq >= 0 && r.sequenceSource() != null) {
            int source = schema.indexOf(r.sequenceSource());
            for (int i = 0; i < rows.size(); i++) {
                copy(rows, i, source, seq);
            }
        }
        return out;
    }

    private static void copy(RowBatch rows, int r, int from, int to) {
        if (rows.isNull(r, from)) {
            rows.setNull(r, to);
            return;
        }
        switch (rows.schema().column(from).type().physical()) {
            case LONG -> rows.setLong(r, to, rows.getLong(r, from));
            case DOUBLE -> rows.setDouble(r, to, rows.getDouble(r, from));
            case BYTES -> rows.setBytes(r, to, rows.getBytes(r, from));
        }
        rows.clearNull(r, to);
    }
}
