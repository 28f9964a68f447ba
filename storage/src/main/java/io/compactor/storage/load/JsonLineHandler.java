package io.compactor.storage.load;

/**
 * A line handler for JSON documents one per line: each line reaches {@link #onJsonLine} with the
 * JSON whitespace around it (space, tab, CR, LF) trimmed; blank lines are skipped.
 */
interface JsonLineHandler extends LineSplitter.LineHandler {

    /** A non-blank line, trimmed: bytes {@code [from, to)} of {@code b}. */
    void onJsonLine(byte[] b, int from, int to, long lineNo);

    @Override
    default void onLine(byte[] b, int from, int to, long lineNo) {
        while (from < to && isBlank(b[from])) {
            from++;
        }
        while (to > from && isBlank(b[to - 1])) {
            to--;
        }
        if (from < to) {
            onJsonLine(b, from, to, lineNo);
        }
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
