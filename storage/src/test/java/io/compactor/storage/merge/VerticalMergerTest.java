package io.compactor.storage.merge;

import static io.compactor.storage.merge.MergeFixtures.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VerticalMergerTest {
    private static final long TABLET = 15007;

    @TempDir
    Path dir;

    private MergeStats vertical(Schema schema, List<Input> inputs, int chunk, VerticalMerger.Settings settings,
                                MergeOptions options, MergeSink sink) throws IOException {
        return new VerticalMerger(schema, options, settings).merge(MergeFixtures.factories(inputs, chunk), sink);
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void verticalOutputEqualsHorizontalOnRandomInputs(KeysType keys) throws IOException {
        Random rnd = new Random(1234 + keys.ordinal());
        for (Schema schema : MergeFixtures.schemas(keys)) {
            for (int round = 0; round < 25; round++) {
                List<Input> inputs = MergeFixtures.randomInputs(rnd, schema, 1 + rnd.nextInt(6), 60,
                        1 + rnd.nextInt(50));
                int chunk = 1 + rnd.nextInt(12);
                MergeOptions options = MergeOptions.forTablet(TABLET)
                        .withExpectedInputRows(MergeFixtures.totalRows(inputs)).withBatchRows(1 + rnd.nextInt(40));
                CollectingSink horizontal = new CollectingSink(schema);
                MergeStats h = new RowsetMerger(schema, options).merge(MergeFixtures.sources(inputs, chunk), horizontal);

                boolean tiny = round % 2 == 0;
                VerticalMerger.Settings settings = new VerticalMerger.Settings(1 + rnd.nextInt(5),
                        tiny ? 16 : RowSourceBuffer.DEFAULT_MAX_MEMORY_BYTES, dir);
                CollectingSink vertical = new CollectingSink(schema);
                MergeStats v = vertical(schema, inputs, chunk, settings, options, vertical);

                String where = schema + " round " + round;
                assertEquals(horizontal.values(), vertical.values(), where);
                assertEquals(h.inputRows(), v.inputRows(), where);
                assertEquals(h.outputRows(), v.outputRows(), where);
                assertEquals(h.mergedRows(), v.mergedRows(), where);
                assertArrayEquals(h.perSourceRows(), v.perSourceRows(), where);
                assertTrue(v.vertical());
                assertFalse(h.vertical());
                // a tiny limit keeps one block of 4 words: 64 entries of 4 bits (up to 8 sources), 32 of 8 bits
                int k = v.perSourceRows().length;
                long blockEntries = 4 * 64 / (k <= 8 ? 4 : k <= 128 ? 8 : 16);
                assertEquals(tiny && h.inputRows() > blockEntries, v.rowSourcesSpilled(), where + " " + v);
            }
        }
        assertEquals(0, filesIn(dir), "row source spill files are removed");
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void groupByGroupOutputEqualsHorizontalOnRandomInputs(KeysType keys) throws IOException {
        Random rnd = new Random(4321 + keys.ordinal());
        for (Schema schema : MergeFixtures.schemas(keys)) {
            for (int round = 0; round < 20; round++) {
                List<Input> inputs = MergeFixtures.randomInputs(rnd, schema, 1 + rnd.nextInt(6), 60,
                        1 + rnd.nextInt(50));
                int chunk = 1 + rnd.nextInt(12);
                MergeOptions options = MergeOptions.forTablet(TABLET)
                        .withExpectedInputRows(MergeFixtures.totalRows(inputs)).withBatchRows(1 + rnd.nextInt(40));
                CollectingSink horizontal = new CollectingSink(schema);
                MergeStats h = new RowsetMerger(schema, options).merge(MergeFixtures.sources(inputs, chunk), horizontal);

                int perGroup = 1 + rnd.nextInt(5);
                VerticalMerger.Settings settings = new VerticalMerger.Settings(perGroup,
                        round % 2 == 0 ? 16 : RowSourceBuffer.DEFAULT_MAX_MEMORY_BYTES, dir);
                CollectingGroupSink groups = new CollectingGroupSink(schema);
                MergeStats v = new VerticalMerger(schema, options, settings).merge(
                        MergeFixtures.factories(inputs, chunk), groups);

                String where = schema + " round " + round;
                assertEquals(horizontal.values(), groups.values(), where);
                assertEquals(ColumnGroups.split(schema, perGroup).size(), groups.groups(), where);
                assertEquals(h.outputRows(), v.outputRows(), where);
                assertEquals(h.mergedRows(), v.mergedRows(), where);
                assertTrue(v.vertical());
            }
        }
        assertEquals(0, filesIn(dir), "row source spill files are removed");
    }

    @Test
    void groupByGroupHandsTheSinkOnlyOneGroupsColumnsAtATime() throws IOException {
        Schema schema = MergeFixtures.wide(KeysType.UNIQUE_KEYS);
        List<Input> inputs = MergeFixtures.randomInputs(new Random(6), schema, 4, 500, 800);
        CollectingGroupSink groups = new CollectingGroupSink(schema);
        new VerticalMerger(schema, MergeOptions.forTablet(TABLET), new VerticalMerger.Settings(2, 1 << 20, dir))
                .merge(MergeFixtures.factories(inputs, 64), groups);
        assertEquals(2, groups.maxColumnsInOneBatch, "the sink saw batches wider than one column group");
        CollectingSink horizontal = new CollectingSink(schema);
        new RowsetMerger(schema, MergeOptions.forTablet(TABLET)).merge(MergeFixtures.sources(inputs, 64), horizontal);
        assertEquals(horizontal.values(), groups.values());
    }

    @Test
    void spillingWithATinyMemoryLimitKeepsTheOutputIdentical() throws IOException {
        Schema schema = MergeFixtures.wide(KeysType.UNIQUE_KEYS);
        List<Input> inputs = MergeFixtures.randomInputs(new Random(5), schema, 8, 3000, 5000);
        MergeOptions options = MergeOptions.forTablet(TABLET);
        CollectingSink horizontal = new CollectingSink(schema);
        new RowsetMerger(schema, options).merge(MergeFixtures.sources(inputs, 256), horizontal);

        CollectingSink vertical = new CollectingSink(schema);
        MergeStats stats = vertical(schema, inputs, 256, new VerticalMerger.Settings(5, 256, dir), options, vertical);
        assertTrue(stats.rowSourcesSpilled(), stats.toString());
        assertEquals(horizontal.values(), vertical.values());
        assertTrue(stats.peakMemoryBytes() > 0, stats.toString());
        assertEquals(0, filesIn(dir));
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void rowIdConversionMatchesTheHorizontalMerge(KeysType keys) throws IOException {
        Random rnd = new Random(77);
        Schema schema = MergeFixtures.wide(keys);
        for (int round = 0; round < 10; round++) {
            List<Input> inputs = MergeFixtures.randomInputs(rnd, schema, 5, 50, 40);
            RowIdConversion h = new RowIdConversion(MergeFixtures.segmentRows(inputs));
            RowIdConversion v = new RowIdConversion(MergeFixtures.segmentRows(inputs));
            new RowsetMerger(schema, MergeOptions.forTablet(TABLET).withRowIdConversion(h))
                    .merge(MergeFixtures.sources(inputs, 3), new CollectingSink(schema));
            CollectingSink out = new CollectingSink(schema);
            MergeStats stats = vertical(schema, inputs, 3, VerticalMerger.Settings.defaults(dir),
                    MergeOptions.forTablet(TABLET).withRowIdConversion(v), out);
            long[] segments = new long[(int) (stats.outputRows() + 6) / 7];
            for (int i = 0; i < segments.length; i++) {
                segments[i] = Math.min(7, stats.outputRows() - 7L * i);
            }
            v.setOutputSegments(segments.length == 0 ? new long[] {0} : segments);
            RowIdConversionTest.assertMapping(schema, inputs, v, out.rows, stats);
            for (Input in : inputs) {
                for (int s = 0; s < in.segments().size(); s++) {
                    for (int r = 0; r < in.segments().get(s).size(); r++) {
                        int rowset = in.origin().rowsetIndex();
                        int seg = in.firstSegmentId() + s;
                        assertEquals(h.outputOrdinal(rowset, seg, r), v.outputOrdinal(rowset, seg, r));
                    }
                }
            }
        }
    }

    @Test
    void keyOnlySchemaHasOneGroup() throws IOException {
        Schema schema = new Schema(List.of(MergeFixtures.intVarcharKey(KeysType.UNIQUE_KEYS).column(0),
                MergeFixtures.intVarcharKey(KeysType.UNIQUE_KEYS).column(1)), 2, KeysType.UNIQUE_KEYS);
        assertEquals(1, ColumnGroups.split(schema, 5).size());
        List<Input> inputs = MergeFixtures.randomInputs(new Random(8), schema, 4, 40, 25);
        CollectingSink horizontal = new CollectingSink(schema);
        new RowsetMerger(schema, MergeOptions.forTablet(TABLET)).merge(MergeFixtures.sources(inputs, 4), horizontal);
        CollectingSink vertical = new CollectingSink(schema);
        vertical(schema, inputs, 4, VerticalMerger.Settings.defaults(dir), MergeOptions.forTablet(TABLET), vertical);
        assertEquals(horizontal.values(), vertical.values());
    }

    @Test
    void columnGroupsFollowDoris() {
        Schema wide = MergeFixtures.wide(KeysType.DUPLICATE_KEYS);
        List<int[]> groups = ColumnGroups.split(wide, 5);
        assertEquals(4, groups.size());
        assertArrayEquals(new int[] {0}, groups.get(0));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, groups.get(1));
        assertArrayEquals(new int[] {11, 12}, groups.get(3));
        assertThrows(IllegalArgumentException.class, () -> ColumnGroups.split(wide, 0));
    }

    @Test
    void aValueGroupShorterThanTheKeysFailsTheMerge() {
        Schema schema = MergeFixtures.wide(KeysType.DUPLICATE_KEYS);
        List<Input> inputs = MergeFixtures.randomInputs(new Random(9), schema, 3, 30, 100);
        inputs = new ArrayList<>(inputs);
        inputs.add(new Input(new SourceOrigin(3, 99, 0), 0,
                List.of(MergeFixtures.randomSorted(new Random(1), schema, 10, 100))));
        List<SourceFactory> factories = new ArrayList<>(MergeFixtures.factories(inputs, 4));
        Input last = inputs.get(inputs.size() - 1);
        RowBatch full = last.segments().get(0);
        RowBatch shorter = new RowBatch(schema, 9);
        shorter.appendRange(full, 0, 9);
        SourceFactory keys = factories.get(factories.size() - 1);
        SourceFactory values = RowBatchSource.factory(last.origin(), 0, 4, List.of(shorter));
        factories.set(factories.size() - 1, new SourceFactory() {
            @Override
            public SourceOrigin origin() {
                return keys.origin();
            }

            @Override
            public SortedRunSource open(int[] columns) throws IOException {
                return columns[0] == 0 ? keys.open(columns) : values.open(columns);
            }
        });
        MergeCorruptionException e = assertThrows(MergeCorruptionException.class, () -> new VerticalMerger(schema,
                MergeOptions.forTablet(TABLET), VerticalMerger.Settings.defaults(dir)).merge(factories,
                new CollectingSink(schema)));
        assertTrue(e.getMessage().contains("tablet " + TABLET + ": column group 1 of input rowset 3"), e.getMessage());
    }

    @Test
    void aVerticalSinkThatLosesRowsFailsTheRowCountCheck() {
        Schema schema = MergeFixtures.bigintKey(KeysType.UNIQUE_KEYS);
        List<Input> inputs = MergeFixtures.randomInputs(new Random(10), schema, 3, 30, 20);
        CollectingSink lossy = new CollectingSink(schema) {
            @Override
            public long rowsWritten() {
                return super.rowsWritten() - 2;
            }
        };
        MergeCorruptionException e = assertThrows(MergeCorruptionException.class, () -> vertical(schema, inputs, 5,
                VerticalMerger.Settings.defaults(dir), MergeOptions.forTablet(TABLET), lossy));
        assertTrue(e.getMessage().startsWith("[CHECK_LINES_ERROR] row_num does not match"), e.getMessage());
        assertTrue(e.getMessage().contains("vertical"), e.getMessage());
    }

    private static long filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
