package io.compactor.storage.segment;

/**
 * Scratch words for {@link BitPacking#pack}, shared by the column builders of one writer and
 * grown on demand: a small segment never allocates a full page's worth.
 */
final class PackScratch {
    private long[] words = new long[0];

    /** At least enough words for {@code values} values of up to 64 bits, plus one. */
    long[] words(int values) {
        if (words.length < values + 1) {
            words = new long[Math.max(values + 1, words.length * 2)];
        }
        return words;
    }
}
