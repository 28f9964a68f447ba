package io.compactor.storage.load;

import java.util.Arrays;

/**
 * Splits a body that arrives in chunks into lines by a delimiter of one or more bytes. Complete
 * lines inside a chunk are handed over in place (no copy); only a line cut by a chunk boundary
 * is copied into a carry buffer. A delimiter cut by a chunk boundary is found too. The handler
 * must not keep the array it is given beyond the call.
 */
final class LineSplitter {

    /** Receives each line (without its delimiter) and its 1-based line number. */
    interface LineHandler {
        void onLine(byte[] buf, int from, int to, long lineNo);
    }

    private final byte[] delimiter;
    private final LineHandler handler;
    private byte[] carry = new byte[256];
    private int carryLen;
    private long lineNo;

    LineSplitter(byte[] delimiter, LineHandler handler) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("line delimiter is empty");
        }
        this.delimiter = delimiter.clone();
        this.handler = handler;
    }

    void feed(byte[] b, int off, int len) {
        int end = off + len;
        int pos = off;
        if (carryLen > 0) {
            pos = completeCarriedLine(b, off, end);
            if (pos < 0) {
                return;
            }
        }
        while (pos < end) {
            int at = indexOf(b, pos, end);
            if (at < 0) {
                append(b, pos, end);
                return;
            }
            handler.onLine(b, pos, at, ++lineNo);
            pos = at + delimiter.length;
        }
    }

    /** Lines handed over so far. */
    long lines() {
        return lineNo;
    }

    /** Hands over the last line if the body did not end with a delimiter. */
    void finish() {
        if (carryLen > 0) {
            int n = carryLen;
            carryLen = 0;
            handler.onLine(carry, 0, n, ++lineNo);
        }
    }

    /**
     * Finishes the carried line with the start of this chunk. Returns where the rest of the
     * chunk starts, or -1 if the whole chunk was carried.
     */
    private int completeCarriedLine(byte[] b, int off, int end) {
        // a delimiter that starts in the carry and ends in this chunk
        for (int k = Math.min(delimiter.length - 1, carryLen); k >= 1; k--) {
            int rest = delimiter.length - k;
            if (rest <= end - off && regionMatches(carry, carryLen - k, 0, k)
                    && regionMatches(b, off, k, rest)) {
                int n = carryLen - k;
                carryLen = 0;
                handler.onLine(carry, 0, n, ++lineNo);
                return off + rest;
            }
        }
        int at = indexOf(b, off, end);
        if (at < 0) {
            append(b, off, end);
            return -1;
        }
        append(b, off, at);
        int n = carryLen;
        carryLen = 0;
        handler.onLine(carry, 0, n, ++lineNo);
        return at + delimiter.length;
    }

    private boolean regionMatches(byte[] b, int at, int delimFrom, int count) {
        for (int i = 0; i < count; i++) {
            if (b[at + i] != delimiter[delimFrom + i]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte[] b, int from, int end) {
        byte first = delimiter[0];
        if (delimiter.length == 1) {
            for (int i = from; i < end; i++) {
                if (b[i] == first) {
                    return i;
                }
            }
            return -1;
        }
        int last = end - delimiter.length;
        for (int i = from; i <= last; i++) {
            if (b[i] == first && regionMatches(b, i + 1, 1, delimiter.length - 1)) {
                return i;
            }
        }
        return -1;
    }

    private void append(byte[] b, int from, int to) {
        int n = to - from;
        if (carryLen + n > carry.length) {
            carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + n));
        }
        System.arraycopy(b, from, carry, carryLen, n);
        carryLen += n;
    }
}
