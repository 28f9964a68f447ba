package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankOnUnsortedValues() {
        long[] v = {50, 10, 40, 20, 30, 60, 70, 80, 90, 100};
        assertEquals(50, Percentiles.of(v, 50));
        assertEquals(100, Percentiles.of(v, 99));
        assertEquals(10, Percentiles.of(v, 1));
        assertEquals(90, Percentiles.of(v, 90));
        assertEquals(100, Percentiles.of(v, 100));
    }

    @Test
    void p99OfAHundredValuesIsTheNinetyNinth() {
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i;
        }
        assertEquals(99, Percentiles.of(v, 99));
    }

    @Test
    void singleValueAndEmpty() {
        assertEquals(7, Percentiles.of(new long[] {7}, 99));
        assertTrue(Double.isNaN(Percentiles.of(new long[0], 50)));
    }

    @Test
    void doesNotReorderTheInput() {
        long[] v = {3, 1, 2};
        Percentiles.of(v, 50);
        assertEquals(3, v[0]);
    }

    @Test
    void rejectsPercentilesOutsideTheRange() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new long[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new long[] {1}, 101));
    }
}
