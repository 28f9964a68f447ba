package io.compactor.storage.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OutputSegmentSizerTest {
    @Test
    void rowsPerSegmentFollowDorisFormula() {
        // 100M rows of ~100 bytes: avg = 1e10 / (1e8 + 1) = 99 bytes, so 1 GiB / 99 rows
        assertEquals((1L << 30) / 99, OutputSegmentSizer.maxRowsPerSegment(10_000_000_000L, 100_000_000L));
        // 10M such rows fit one segment: capped at rows + 1
        assertEquals(10_000_001, OutputSegmentSizer.maxRowsPerSegment(1_000_000_000L, 10_000_000L));
        // small input: capped at input rows + 1
        assertEquals(1001, OutputSegmentSizer.maxRowsPerSegment(100_000, 1000));
        // time_series uses 2 x goal size: 2 x 100 MB / 1000 bytes
        assertEquals(209_715, OutputSegmentSizer.maxRowsPerSegment(200L << 20, 1_000_001_000L, 1_000_000));
        // rows smaller than one byte on average (empty VARCHARs): capped by rows + 1
        assertEquals(11, OutputSegmentSizer.maxRowsPerSegment(5, 10));
        assertEquals(1, OutputSegmentSizer.maxRowsPerSegment(0, 0));
        assertEquals(1, OutputSegmentSizer.maxRowsPerSegment(10, 1_000_000, 10));
    }

    @Test
    void invalidSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> OutputSegmentSizer.maxRowsPerSegment(0, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> OutputSegmentSizer.maxRowsPerSegment(-1, 10));
    }
}
