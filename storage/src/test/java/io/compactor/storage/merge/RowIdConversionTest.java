package io.compactor.storage.merge;

import static io.compactor.storage.merge.MergeFixtures.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.roaringbitmap.RoaringBitmap;

class RowIdConversionTest {

    /** Output segments of 7 rows each (the last one shorter), as a writer would cut them. */
    private static long[] cut(long rows, int perSegment) {
        int n = (int) Math.max(1, (rows + perSegment - 1) / perSegment);
        long[] segs = new long[n];
        for (int i = 0; i < n; i++) {
            segs[i] = Math.min(perSegment, rows - (long) i * perSegment);
        }
        return segs;
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void everySurvivingRowMapsToTheOutputRowWithItsValuesAndMergedRowsToNothing(KeysType keys) throws IOException {
        Random rnd = new Random(41 + keys.ordinal());
        for (Schema schema : List.of(MergeFixtures.bigintKey(keys), MergeFixtures.intVarcharKey(keys))) {
            for (int round = 0; round < 25; round++) {
                List<Input> inputs = MergeFixtures.randomInputs(rnd, schema, 1 + rnd.nextInt(5), 40, 30);
                RowIdConversion conversion = new RowIdConversion(MergeFixtures.segmentRows(inputs));
                CollectingSink sink = new CollectingSink(schema);
                MergeStats stats = new RowsetMerger(schema, MergeOptions.forTablet(1).withRowIdConversion(conversion))
                        .merge(MergeFixtures.sources(inputs, 1 + rnd.nextInt(6)), sink);
                conversion.setOutputSegments(cut(stats.outputRows(), 7));
                assertMapping(schema, inputs, conversion, sink.rows, stats);
            }
        }
    }

    /** Checks every input row's mapping: survivors to an equal output row, the rest to MERGED. */
    static void assertMapping(Schema schema, List<Input> inputs, RowIdConversion conversion, RowBatch output,
                              MergeStats stats) {
        long merged = 0;
        boolean[] hit = new boolean[output.size()];
        for (Input in : inputs) {
            for (int s = 0; s < in.segments().size(); s++) {
                RowBatch seg = in.segments().get(s);
                int segmentId = in.firstSegmentId() + s;
                for (int r = 0; r < seg.size(); r++) {
                    long packed = conversion.map(in.origin().rowsetIndex(), segmentId, r);
                    if (packed == RowIdConversion.MERGED) {
                        merged++;
                        continue;
                    }
                    int outRow = RowIdConversion.segmentOf(packed) * 7 + RowIdConversion.rowOf(packed);
                    assertTrue(RowIdConversion.rowOf(packed) < 7);
                    assertEquals(MergeFixtures.rowValues(seg, r), MergeFixtures.rowValues(output, outRow),
                            "rowset " + in.origin().rowsetIndex() + " segment " + segmentId + " row " + r);
                    assertEquals(outRow, conversion.outputOrdinal(in.origin().rowsetIndex(), segmentId, r));
                    assertTrue(!hit[outRow], "two input rows map to output row " + outRow);
                    hit[outRow] = true;
                }
            }
        }
        assertEquals(stats.mergedRows(), merged, schema.toString());
        for (int i = 0; i < hit.length; i++) {
            assertTrue(hit[i], "output row " + i + " has no input row");
        }
    }

    @Test
    void bitmapsConvertPerOutputSegmentDroppingMergedRows() {
        RowIdConversion conversion = new RowIdConversion(new long[][] {{6}, {4}});
        // rowset 0 rows 0..5 -> output ordinals 0,2,-,4,6,8 ; rowset 1 rows 0..3 -> 1,3,5,7
        conversion.recordRange(0, 0, 0, 1, 0);
        conversion.recordRange(1, 0, 0, 1, 1);
        conversion.recordRange(0, 0, 1, 1, 2);
        conversion.recordRange(1, 0, 1, 1, 3);
        conversion.recordRange(0, 0, 3, 1, 4);
        conversion.recordRange(1, 0, 2, 1, 5);
        conversion.recordRange(0, 0, 4, 1, 6);
        conversion.recordRange(1, 0, 3, 1, 7);
        conversion.recordRange(0, 0, 5, 1, 8);
        conversion.setOutputSegments(new long[] {4, 0, 5});

        Map<Integer, RoaringBitmap> out = conversion.convert(0, 0, RoaringBitmap.bitmapOf(0, 1, 2, 3, 5));
        assertEquals(Map.of(0, RoaringBitmap.bitmapOf(0, 2), 2, RoaringBitmap.bitmapOf(0, 4)), out);
        assertEquals(Map.of(2, RoaringBitmap.bitmapOf(1, 3)), conversion.convert(1, 0, RoaringBitmap.bitmapOf(2, 3)));
        assertEquals(Map.of(), conversion.convert(0, 0, RoaringBitmap.bitmapOf(2)));
        assertEquals(RowIdConversion.pack(2, 0), conversion.map(0, 0, 3));
        assertEquals(RowIdConversion.MERGED, conversion.map(0, 0, 2));
    }

    @Test
    void outOfRangeCoordinatesAreRejectedWithTheirLocation() {
        RowIdConversion conversion = new RowIdConversion(new long[][] {{3, 2}});
        IllegalStateException noSegments = assertThrows(IllegalStateException.class, () -> conversion.map(0, 1, 0));
        assertTrue(noSegments.getMessage().contains("setOutputSegments"));
        conversion.setOutputSegments(new long[] {5});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> conversion.map(1, 0, 0)).getMessage()
                .contains("input rowset index 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> conversion.map(0, 2, 0)).getMessage()
                .contains("has no segment 2"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> conversion.convert(0, 1, RoaringBitmap.bitmapOf(2))).getMessage()
                .contains("row 2 outside input rowset 0 segment 1 of 2 rows"));
        MergeCorruptionException tooFar = assertThrows(MergeCorruptionException.class,
                () -> conversion.recordRange(0, 1, 1, 2, 0));
        assertTrue(tooFar.getMessage().contains("segment 1 has 2 rows but the merge read rows [1, 3)"));
    }

    @Test
    void sizedFromRowsetMetasWithFourBytesPerRow() {
        RowsetMeta a = new RowsetMeta(new RowsetId(1), 9, Version.of(2), List.of(seg(10), seg(5)),
                SegmentsOverlap.OVERLAPPING, 0, 0, 1);
        RowsetMeta b = new RowsetMeta(new RowsetId(2), 9, Version.of(3), List.of(seg(7)),
                SegmentsOverlap.NONOVERLAPPING, 0, 0, 2);
        RowIdConversion conversion = RowIdConversion.forRowsets(List.of(a, b));
        assertEquals(4 * 22 + 3 * 16, conversion.memoryBytes());
        conversion.setOutputSegments(new long[] {22});
        assertEquals(RowIdConversion.MERGED, conversion.map(0, 1, 4));
        assertEquals(RowIdConversion.MERGED, conversion.map(1, 0, 6));
    }

    private static SegmentMeta seg(long rows) {
        return new SegmentMeta(rows, rows * 10, null, null, 0);
    }
}
