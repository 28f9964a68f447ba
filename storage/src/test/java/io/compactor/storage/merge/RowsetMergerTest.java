package io.compactor.storage.merge;

import static io.compactor.storage.merge.MergeFixtures.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class RowsetMergerTest {
    private static final long TABLET = 10086;

    private static MergeStats merge(Schema schema, List<Input> inputs, int chunkRows, CollectingSink sink)
            throws IOException {
        MergeOptions options = MergeOptions.forTablet(TABLET).withExpectedInputRows(MergeFixtures.totalRows(inputs));
        return new RowsetMerger(schema, options).merge(MergeFixtures.sources(inputs, chunkRows), sink);
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void randomizedMergesMatchTheReference(KeysType keys) throws IOException {
        Random rnd = new Random(7 + keys.ordinal());
        for (Schema schema : MergeFixtures.schemas(keys)) {
            for (int round = 0; round < 40; round++) {
                int rowsets = 1 + rnd.nextInt(6);
                List<Input> inputs = MergeFixtures.randomInputs(rnd, schema, rowsets, 1 + rnd.nextInt(60),
                        1 + rnd.nextInt(80));
                int chunk = round % 3 == 0 ? Integer.MAX_VALUE : 1 + rnd.nextInt(9);
                CollectingSink sink = new CollectingSink(schema);
                MergeStats stats = merge(schema, inputs, chunk, sink);

                List<MergeFixtures.Row> expected = MergeFixtures.reference(schema, inputs);
                String where = schema + " round " + round + " chunk " + chunk;
                assertEquals(MergeFixtures.values(expected), sink.values(), where);
                assertEquals(MergeFixtures.totalRows(inputs), stats.inputRows(), where);
                assertEquals(expected.size(), stats.outputRows(), where);
                assertEquals(stats.inputRows(), stats.outputRows() + stats.mergedRows(), where);
                if (keys == KeysType.DUPLICATE_KEYS) {
                    assertEquals(0, stats.mergedRows(), where);
                }
                long[] perSource = inputs.stream().mapToLong(Input::rows).toArray();
                assertArrayEquals(perSource, stats.perSourceRows(), where);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void sourceListOrderDoesNotChangeTheOutput(KeysType keys) throws IOException {
        Random rnd = new Random(99);
        Schema schema = MergeFixtures.intVarcharKey(keys);
        List<Input> inputs = MergeFixtures.randomInputs(rnd, schema, 6, 50, 20);
        CollectingSink inOrder = new CollectingSink(schema);
        merge(schema, inputs, 4, inOrder);
        List<Input> shuffled = new ArrayList<>(inputs);
        Collections.shuffle(shuffled, rnd);
        CollectingSink reordered = new CollectingSink(schema);
        merge(schema, shuffled, 4, reordered);
        assertEquals(inOrder.values(), reordered.values());
    }

    @Test
    void noSourcesAndEmptySourcesProduceNothing() throws IOException {
        Schema schema = MergeFixtures.bigintKey(KeysType.UNIQUE_KEYS);
        CollectingSink sink = new CollectingSink(schema);
        MergeStats none = new RowsetMerger(schema, MergeOptions.forTablet(TABLET)).merge(List.of(), sink);
        assertEquals(0, none.inputRows());
        assertEquals(0, sink.rowsWritten());

        List<Input> empty = List.of(input(schema, 0, 2, 0), input(schema, 1, 3, 0, new long[0]));
        MergeStats stats = merge(schema, empty, 5, sink);
        assertEquals(0, stats.outputRows());
        assertEquals(0, sink.calls);
    }

    @Test
    void emptySourcesAmongFullOnesAreSkipped() throws IOException {
        Schema schema = MergeFixtures.bigintKey(KeysType.DUPLICATE_KEYS);
        List<Input> inputs = List.of(input(schema, 0, 2, 0), input(schema, 1, 3, 0, 1, 5, 9),
                input(schema, 2, 4, 0), input(schema, 3, 5, 0, 2, 5));
        CollectingSink sink = new CollectingSink(schema);
        MergeStats stats = merge(schema, inputs, 2, sink);
        assertEquals(List.of(1L, 2L, 5L, 5L, 9L), keys(sink.rows));
        assertArrayEquals(new long[] {0, 3, 0, 2}, stats.perSourceRows());
    }

    @Test
    void singleSourcePassesThroughChunkByChunk() throws IOException {
        Schema schema = MergeFixtures.bigintKey(KeysType.UNIQUE_KEYS);
        long[] keys = new long[1000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i * 3L;
        }
        CollectingSink sink = new CollectingSink(schema);
        merge(schema, List.of(input(schema, 0, 2, 0, keys)), 100, sink);
        assertEquals(1000, sink.rowsWritten());
        // one range per chunk, except that the pending last row of each chunk moves to the next call
        assertTrue(sink.calls <= 20, "calls " + sink.calls);
    }

    @Test
    void nonOverlappingRowsetsFlowThroughInWholeRuns() throws IOException {
        Schema schema = MergeFixtures.bigintKey(KeysType.DUPLICATE_KEYS);
        List<Input> inputs = List.of(input(schema, 0, 2, 0, 1, 2, 3, 4), input(schema, 1, 3, 0, 10, 11, 12),
                input(schema, 2, 4, 0, 20, 21));
        CollectingSink sink = new CollectingSink(schema);
        merge(schema, inputs, Integer.MAX_VALUE, sink);
        assertEquals(List.of(1L, 2L, 3L, 4L, 10L, 11L, 12L, 20L, 21L), keys(sink.rows));
        assertEquals(3, sink.calls);
    }

    @Test
    void allDuplicatesCollapseToTheNewestRow() throws IOException {
        Schema schema = MergeFixtures.bigintKey(KeysType.UNIQUE_KEYS);
        List<Input> inputs = new ArrayList<>();
        for (int v = 0; v < 10; v++) {
            inputs.add(input(schema, v, 2 + v, 0, 1, 2, 3));
        }
        Collections.reverse(inputs);
        CollectingSink sink = new CollectingSink(schema);
        MergeStats stats = merge(schema, inputs, 2, sink);
        assertEquals(List.of(1L, 2L, 3L), keys(sink.rows));
        for (int r = 0; r < 3; r++) {
            assertEquals(11L, sink.rows.getLong(r, 4), "value of the newest version (11) wins");
        }
        assertEquals(27, stats.mergedRows());
        assertEquals(30, stats.inputRows());
    }

    @Test
    void withinOneLoadTheLaterSegmentWins() throws IOException {
        Schema schema = MergeFixtures.varcharKey(KeysType.UNIQUE_KEYS);
        // rowset 0 (version 5) has three overlapping segments; rowset 1 (version 4) is older
        List<Input> inputs = List.of(
                varcharInput(schema, new SourceOrigin(0, 5, 2), 2, 502, "a", "b"),
                varcharInput(schema, new SourceOrigin(0, 5, 0), 0, 500, "a", "b", "c"),
                varcharInput(schema, new SourceOrigin(1, 4, 0), 0, 400, "a", "b", "c", "d"),
                varcharInput(schema, new SourceOrigin(0, 5, 1), 1, 501, "b", "c"));
        CollectingSink sink = new CollectingSink(schema);
        MergeStats stats = merge(schema, inputs, 1, sink);
        assertEquals(List.of(List.of("a", 502L), List.of("b", 502L), List.of("c", 501L), List.of("d", 400L)),
                sink.values());
        assertEquals(7, stats.mergedRows());
    }

    @Test
    void duplicateKeysComeOutOldestSourceFirst() throws IOException {
        Schema schema = MergeFixtures.varcharKey(KeysType.DUPLICATE_KEYS);
        List<Input> inputs = List.of(
                varcharInput(schema, new SourceOrigin(0, 9, 0), 0, 9, "x", "x"),
                varcharInput(schema, new SourceOrigin(1, 3, 0), 0, 3, "x"),
                varcharInput(schema, new SourceOrigin(2, 6, 1), 1, 61, "x"),
                varcharInput(schema, new SourceOrigin(2, 6, 0), 0, 60, "x"));
        CollectingSink sink = new CollectingSink(schema);
        merge(schema, inputs, 1, sink);
        List<Long> values = new ArrayList<>();
        for (int r = 0; r < sink.rows.size(); r++) {
            values.add(sink.rows.getLong(r, 1));
        }
        assertEquals(List.of(3L, 60L, 61L, 9L, 9L), values);
    }

    @Test
    void repeatedKeyInsideOneUniqueSourceKeepsTheLaterRow() throws IOException {
        Schema schema = MergeFixtures.varcharKey(KeysType.UNIQUE_KEYS);
        List<Input> inputs = List.of(varcharInput(schema, new SourceOrigin(0, 2, 0), 0, 0, "a", "a", "b"));
        CollectingSink sink = new CollectingSink(schema);
        MergeStats stats = merge(schema, inputs, 1, sink);
        assertEquals(List.of(List.of("a", 1L), List.of("b", 2L)), sink.values());
        assertEquals(1, stats.mergedRows());
    }

    @Test
    void aSinkThatLosesARowFailsTheMergeWithCheckLinesError() {
        Schema schema = MergeFixtures.bigintKey(KeysType.UNIQUE_KEYS);
        List<Input> inputs = List.of(input(schema, 0, 2, 0, 1, 2, 3), input(schema, 1, 3, 0, 2, 4));
        MergeSink lossy = new MergeSink() {
            long rows;

            @Override
            public void accept(RowBatch batch, int from, int to) {
                rows += to - from;
            }

            @Override
            public long rowsWritten() {
                return rows - 1;
            }
        };
        MergeCorruptionException e = assertThrows(MergeCorruptionException.class, () -> new RowsetMerger(schema,
                MergeOptions.forTablet(TABLET)).merge(MergeFixtures.sources(inputs, 2), lossy));
        assertTrue(e.getMessage().contains("row_num does not match between cumulative input and output! "
                + "input_row_num=5, merged_row_num=1, output_row_num=3"), e.getMessage());
        assertTrue(e.getMessage().contains("tablet_id=" + TABLET), e.getMessage());
    }

    @Test
    void aSourceThatDropsARowFailsAgainstTheExpectedInput() {
        Schema schema = MergeFixtures.bigintKey(KeysType.DUPLICATE_KEYS);
        List<Input> inputs = List.of(input(schema, 0, 2, 0, 1, 2, 3), input(schema, 1, 3, 0, 2, 4));
        MergeOptions options = MergeOptions.forTablet(TABLET).withExpectedInputRows(6);
        MergeCorruptionException e = assertThrows(MergeCorruptionException.class, () -> new RowsetMerger(schema,
                options).merge(MergeFixtures.sources(inputs, 2), new CollectingSink(schema)));
        assertTrue(e.getMessage().contains("input_row_num=6, merged_row_num=0, output_row_num=5"), e.getMessage());
        assertTrue(e.getMessage().contains("rows_read=5"), e.getMessage());
    }

    @Test
    void unsortedInputIsReportedNotMerged() {
        Schema longKey = MergeFixtures.bigintKey(KeysType.DUPLICATE_KEYS);
        List<Input> bad = List.of(input(longKey, 3, 7, 0, 1, 5, 4));
        MergeCorruptionException e = assertThrows(MergeCorruptionException.class, () -> merge(longKey, bad, 2,
                new CollectingSink(longKey)));
        assertTrue(e.getMessage().contains("input rowset 3 (version 7) segment 0 is not sorted by key: row 2 has key 4"
                + " after key 5"), e.getMessage());

        Schema textKey = MergeFixtures.varcharKey(KeysType.UNIQUE_KEYS);
        List<Input> badText = List.of(varcharInput(textKey, new SourceOrigin(1, 3, 0), 0, 0, "a", "c", "b"));
        for (int chunk : new int[] {1, 5}) {
            MergeCorruptionException t = assertThrows(MergeCorruptionException.class, () -> merge(textKey, badText,
                    chunk, new CollectingSink(textKey)));
            assertTrue(t.getMessage().contains("has key ('b') after key ('c')"), t.getMessage());
        }
    }

    @Test
    void statsReportPeakMemoryOfTheHeldChunks() throws IOException {
        Schema schema = MergeFixtures.bigintKey(KeysType.DUPLICATE_KEYS);
        List<Input> inputs = MergeFixtures.randomInputs(new Random(3), schema, 4, 200, 1000);
        MergeStats stats = merge(schema, inputs, 16, new CollectingSink(schema));
        assertTrue(stats.peakMemoryBytes() > 0);
        assertTrue(stats.peakMemoryBytes() < 16L * 7 * 5 * 8 + 4096, "bounded by chunks: " + stats);
        assertEquals(false, stats.vertical());
    }

    static List<Long> keys(RowBatch rows) {
        List<Long> keys = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            keys.add(rows.getLong(r, 0));
        }
        return keys;
    }

    /** A one-segment input with BIGINT keys; column v4 holds the version, v1 the row's position. */
    static Input input(Schema schema, int rowsetIndex, long version, int segment, long... keys) {
        RowBatch b = new RowBatch(schema, keys.length);
        for (int i = 0; i < keys.length; i++) {
            int r = b.addRow();
            b.setLong(r, 0, keys[i]);
            b.setLong(r, 1, i);
            b.setDouble(r, 2, i / 2.0);
            b.setBytes(r, 3, ("v" + version).getBytes());
            b.setLong(r, 4, version);
        }
        return new Input(new SourceOrigin(rowsetIndex, version, segment), segment, List.of(b));
    }

    /** A one-segment input of the VARCHAR-key schema; the value column is {@code value} or the row position. */
    static Input varcharInput(Schema schema, SourceOrigin origin, int segment, long value, String... keys) {
        RowBatch b = new RowBatch(schema, keys.length);
        for (int i = 0; i < keys.length; i++) {
            int r = b.addRow();
            b.setBytes(r, 0, keys[i].getBytes());
            b.setLong(r, 1, value == 0 ? i : value);
        }
        return new Input(origin, segment, List.of(b));
    }
}
