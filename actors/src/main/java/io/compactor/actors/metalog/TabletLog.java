package io.compactor.actors.metalog;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One tablet's versions in the meta log's state: committed, visible, the content identity of each
 * version, and the loads committed but not yet visible, in version order ({@link MetaState} owns it).
 */
final class TabletLog {
    long committed = 1;
    long visible = 1;
    long[] ids = new long[8];
    final ArrayDeque<Long> pending = new ArrayDeque<>();

    void set(long version, long id) {
        if (version >= ids.length) {
            ids = Arrays.copyOf(ids, (int) Math.max(version + 1, ids.length * 2L));
        }
        ids[(int) version] = id;
    }

    long xor(long from, long to) {
        long x = 0;
        for (long v = Math.max(0, from); v <= to && v < ids.length; v++) {
            x ^= ids[(int) v];
        }
        return x;
    }
}
