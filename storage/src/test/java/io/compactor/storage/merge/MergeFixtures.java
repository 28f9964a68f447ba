package io.compactor.storage.merge;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Random inputs for merge tests and the reference merge they are checked against. */
final class MergeFixtures {
    private MergeFixtures() {
    }

    /**
     * One source's worth of rows: sorted segments read as one source.
     *
     * @param origin         rowset index and recency
     * @param firstSegmentId segment id of the first segment
     * @param segments       sorted rows per segment
     */
    record Input(SourceOrigin origin, int firstSegmentId, List<RowBatch> segments) {
        long rows() {
            return segments.stream().mapToLong(RowBatch::size).sum();
        }
    }

    /** A reference output row: its values and the input row it came from. */
    record Row(List<Object> values, int rowsetIndex, int segmentId, int rowId) {
    }

    static Schema bigintKey(KeysType keys) {
        return new Schema(List.of(new Column("k", ColumnType.BIGINT, false, 0),
                new Column("v1", ColumnType.BIGINT, false, 0),
                new Column("v2", ColumnType.DOUBLE, true, 0),
                new Column("v3", ColumnType.VARCHAR, true, 16),
                new Column("v4", ColumnType.INT, false, 0)), 1, keys);
    }

    static Schema intVarcharKey(KeysType keys) {
        return new Schema(List.of(new Column("k1", ColumnType.INT, false, 0),
                new Column("k2", ColumnType.VARCHAR, false, 8),
                new Column("v1", ColumnType.VARCHAR, false, 16),
                new Column("v2", ColumnType.DATETIME, true, 0)), 2, keys);
    }

    static Schema varcharKey(KeysType keys) {
        return new Schema(List.of(new Column("k", ColumnType.VARCHAR, false, 8),
                new Column("v", ColumnType.BIGINT, false, 0)), 1, keys);
    }

    static Schema doubleAndDateKey(KeysType keys) {
        return new Schema(List.of(new Column("k1", ColumnType.DOUBLE, false, 0),
                new Column("k2", ColumnType.DATE, false, 0),
                new Column("v", ColumnType.VARCHAR, true, 8)), 2, keys);
    }

    /** A BIGINT key and 12 value columns of every type: three groups of 5 and one of 2. */
    static Schema wide(KeysType keys) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("k", ColumnType.BIGINT, false, 0));
        ColumnType[] types = {ColumnType.BIGINT, ColumnType.DOUBLE, ColumnType.VARCHAR, ColumnType.INT,
                ColumnType.DATE, ColumnType.DATETIME};
        for (int i = 0; i < 12; i++) {
            cols.add(new Column("v" + i, types[i % types.length], i % 4 == 1, 12));
        }
        return new Schema(cols, 1, keys);
    }

    static List<Schema> schemas(KeysType keys) {
        return List.of(bigintKey(keys), intVarcharKey(keys), varcharKey(keys), doubleAndDateKey(keys), wide(keys));
    }

    /**
     * Random inputs: {@code rowsets} rowsets, each either OVERLAPPING (one source per segment,
     * same version, segment order = segment id) or NONOVERLAPPING (one source chaining its
     * segments). Keys come from a domain of {@code keyDomain} values so that they repeat.
     * UNIQUE rowsets hold each key at most once per segment.
     */
    static List<Input> randomInputs(Random rnd, Schema schema, int rowsets, int maxRows, int keyDomain) {
        List<Input> inputs = new ArrayList<>();
        for (int r = 0; r < rowsets; r++) {
            long version = 2 + r;
            boolean overlapping = rnd.nextBoolean();
            int segments = 1 + rnd.nextInt(3);
            if (overlapping) {
                for (int s = 0; s < segments; s++) {
                    RowBatch rows = randomSorted(rnd, schema, rnd.nextInt(maxRows + 1), keyDomain);
                    inputs.add(new Input(new SourceOrigin(r, version, s), s, List.of(rows)));
                }
            } else {
                RowBatch all = randomSorted(rnd, schema, rnd.nextInt(maxRows + 1), keyDomain);
                inputs.add(new Input(new SourceOrigin(r, version, 0), 0, split(all, segments, rnd)));
            }
        }
        return inputs;
    }

    /** Sorted random rows; for UNIQUE_KEYS each key once (the last generated wins). */
    static RowBatch randomSorted(Random rnd, Schema schema, int rows, int keyDomain) {
        RowBatch raw = new RowBatch(schema, rows);
        for (int i = 0; i < rows; i++) {
            int r = raw.addRow();
            for (int c = 0; c < schema.columnCount(); c++) {
                boolean key = c < schema.keyCount();
                Column col = schema.column(c);
                if (col.nullable() && rnd.nextInt(8) == 0) {
                    raw.setNull(r, c);
                    continue;
                }
                switch (col.type().physical()) {
                    case LONG -> raw.setLong(r, c, key ? rnd.nextInt(keyDomain) - keyDomain / 3 : rnd.nextInt());
                    case DOUBLE -> raw.setDouble(r, c, key ? (rnd.nextInt(keyDomain) - keyDomain / 2) / 4.0
                            : rnd.nextGaussian());
                    case BYTES -> raw.setBytes(r, c, key ? keyText(rnd.nextInt(keyDomain)) : randomText(rnd));
                }
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            order.add(i);
        }
        order.sort((a, b) -> raw.compareKeys(a, raw, b));
        RowBatch sorted = new RowBatch(schema, rows);
        for (int i = 0; i < order.size(); i++) {
            boolean lastOfKey = i + 1 == order.size() || raw.compareKeys(order.get(i), raw, order.get(i + 1)) != 0;
            if (!schema.isUniqueKeys() || lastOfKey) {
                sorted.appendRow(raw, order.get(i));
            }
        }
        return sorted;
    }

    /** Keys whose byte order differs from their numeric order, some with non-ASCII bytes. */
    static byte[] keyText(int n) {
        String s = (n % 5 == 0 ? "é" : "k") + n;
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] randomText(Random rnd) {
        byte[] b = new byte[rnd.nextInt(10)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ('a' + rnd.nextInt(26));
        }
        return b;
    }

    /** Cuts sorted rows into {@code parts} consecutive segments (some possibly empty). */
    static List<RowBatch> split(RowBatch all, int parts, Random rnd) {
        List<RowBatch> out = new ArrayList<>();
        int from = 0;
        for (int p = 0; p < parts; p++) {
            int to = p == parts - 1 ? all.size() : from + rnd.nextInt(all.size() - from + 1);
            RowBatch seg = new RowBatch(all.schema(), to - from);
            seg.appendRange(all, from, to);
            out.add(seg);
            from = to;
        }
        return out;
    }

    static List<SortedRunSource> sources(List<Input> inputs, int chunkRows) {
        List<SortedRunSource> sources = new ArrayList<>();
        for (Input in : inputs) {
            sources.add(open(in, chunkRows));
        }
        return sources;
    }

    static List<SourceFactory> factories(List<Input> inputs, int chunkRows) {
        List<SourceFactory> out = new ArrayList<>();
        for (Input in : inputs) {
            out.add(RowBatchSource.factory(in.origin(), in.firstSegmentId(), chunkRows, in.segments()));
        }
        return out;
    }

    static long totalRows(List<Input> inputs) {
        return inputs.stream().mapToLong(Input::rows).sum();
    }

    /** Segment row counts per rowset index, for a {@link RowIdConversion}. */
    static long[][] segmentRows(List<Input> inputs) {
        int rowsets = inputs.stream().mapToInt(i -> i.origin().rowsetIndex()).max().orElse(-1) + 1;
        List<List<Long>> rows = new ArrayList<>();
        for (int r = 0; r < rowsets; r++) {
            rows.add(new ArrayList<>());
        }
        for (Input in : inputs) {
            List<Long> segs = rows.get(in.origin().rowsetIndex());
            for (int s = 0; s < in.segments().size(); s++) {
                int id = in.firstSegmentId() + s;
                while (segs.size() <= id) {
                    segs.add(0L);
                }
                segs.set(id, (long) in.segments().get(s).size());
            }
        }
        long[][] out = new long[rowsets][];
        for (int r = 0; r < rowsets; r++) {
            out[r] = rows.get(r).stream().mapToLong(Long::longValue).toArray();
        }
        return out;
    }

    /**
     * The reference merge: every input row sorted by (key, recency of its source, position in
     * its source); DUPLICATE keeps all, UNIQUE keeps the last row of each key.
     */
    static List<Row> reference(Schema schema, List<Input> inputs) {
        record Ref(RowBatch batch, int row, int recency, int seq, int rowsetIndex, int segmentId) {
        }
        List<Integer> byRecency = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            byRecency.add(i);
        }
        byRecency.sort(Comparator.<Integer, SourceOrigin>comparing(i -> inputs.get(i).origin(),
                SourceOrigin::compareRecency).thenComparing(i -> i));
        int[] recency = new int[inputs.size()];
        for (int r = 0; r < recency.length; r++) {
            recency[byRecency.get(r)] = r;
        }
        List<Ref> all = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            int seq = 0;
            for (int s = 0; s < in.segments().size(); s++) {
                RowBatch seg = in.segments().get(s);
                for (int r = 0; r < seg.size(); r++) {
                    all.add(new Ref(seg, r, recency[i], seq++, in.origin().rowsetIndex(),
                            in.firstSegmentId() + s));
                }
            }
        }
        Comparator<Ref> byKey = (a, b) -> a.batch().compareKeys(a.row(), b.batch(), b.row());
        all.sort(byKey.thenComparingInt(Ref::recency).thenComparingInt(Ref::seq));
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Ref a = all.get(i);
            boolean lastOfKey = i + 1 == all.size()
                    || a.batch().compareKeys(a.row(), all.get(i + 1).batch(), all.get(i + 1).row()) != 0;
            if (!schema.isUniqueKeys() || lastOfKey) {
                out.add(new Row(rowValues(a.batch(), a.row()), a.rowsetIndex(), a.segmentId(), a.row()));
            }
        }
        return out;
    }

    static List<Object> rowValues(RowBatch b, int row) {
        List<Object> v = new ArrayList<>();
        for (int c = 0; c < b.schema().columnCount(); c++) {
            v.add(b.value(row, c));
        }
        return v;
    }

    static List<List<Object>> values(RowBatch b) {
        List<List<Object>> out = new ArrayList<>();
        for (int r = 0; r < b.size(); r++) {
            out.add(rowValues(b, r));
        }
        return out;
    }

    static List<List<Object>> values(List<Row> rows) {
        return rows.stream().map(Row::values).toList();
    }

    /** Opens a {@link RowBatchSource} over an input, every column. */
    static SortedRunSource open(Input in, int chunkRows) {
        if (in.segments().size() == 1) {
            return RowBatchSource.segment(in.origin(), in.firstSegmentId(), chunkRows, in.segments().get(0));
        }
        return RowBatchSource.of(in.origin(), chunkRows, in.segments().toArray(new RowBatch[0]));
    }
}
