package io.compactor.storage.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BitPackingTest {
    @Test
    void everyWidthAndCountRoundTrips() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int width = 0; width <= 64; width++) {
            for (int count : new int[] {0, 1, 2, 3, 63, 64, 65, 127, 1000}) {
                long base = rnd.nextLong();
                long[] values = new long[count];
                long mask = width == 64 ? -1L : (1L << width) - 1;
                for (int i = 0; i < count; i++) {
                    long delta = i % 7 == 0 ? mask : rnd.nextLong() & mask; // the widest value too
                    values[i] = base + delta;
                }
                int bytes = BitPacking.packedBytes(count, width);
                byte[] out = new byte[bytes + 11];
                BitPacking.pack(values, count, base, width, new long[bytes / 8 + 1], out, 5);
                long[] back = new long[count + 2];
                BitPacking.unpack(out, 5, count, base, width, back);
                assertArrayEquals(values, Arrays.copyOf(back, count), "width " + width + ", " + count + " values");
            }
        }
    }
}
