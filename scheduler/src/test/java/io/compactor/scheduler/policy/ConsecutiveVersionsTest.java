package io.compactor.scheduler.policy;

import static io.compactor.scheduler.Fixtures.rowsets;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Doris's TestConsecutiveVersion (cumulative_compaction_test.cpp) and the empty-rowset runs. */
class ConsecutiveVersionsTest {

    private static List<RowsetMeta> singletons(int... ranges) {
        List<String> specs = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            for (int v = ranges[i]; v <= ranges[i + 1]; v++) {
                specs.add(v + "-" + v + ":1KB");
            }
        }
        return rowsets(specs.toArray(new String[0]));
    }

    private static void assertRun(ConsecutiveVersions.Run run, int size, long first, long last) {
        assertEquals(size, run.rowsets().size());
        assertEquals(first, run.rowsets().get(0).startVersion());
        assertEquals(last, run.rowsets().get(size - 1).endVersion());
    }

    @Test
    void noGapKeepsEverything() {
        ConsecutiveVersions.Run run = ConsecutiveVersions.longestRun(singletons(2, 9));
        assertRun(run, 8, 2, 9);
        assertEquals(List.of(), run.missing());
    }

    @Test
    void longestRunInTheMiddle() {
        ConsecutiveVersions.Run run = ConsecutiveVersions.longestRun(singletons(2, 4, 6, 10, 12, 13));
        assertRun(run, 5, 6, 10);
        assertEquals(List.of(Version.of(4), Version.of(6), Version.of(10), Version.of(12)), run.missing());
    }

    @Test
    void twoSingleRowsetsKeepTheFirst() {
        ConsecutiveVersions.Run run = ConsecutiveVersions.longestRun(singletons(2, 2, 4, 4));
        assertRun(run, 1, 2, 2);
        assertEquals(List.of(Version.of(2), Version.of(4)), run.missing());
    }

    @Test
    void tieKeepsTheFirstRunOfRanges() {
        ConsecutiveVersions.Run run = ConsecutiveVersions.longestRun(rowsets("2-3", "4-5", "9-11", "12-13"));
        assertRun(run, 2, 2, 5);
        assertEquals(List.of(new Version(4, 5), new Version(9, 11)), run.missing());
    }

    @Test
    void singleRowset() {
        assertRun(ConsecutiveVersions.longestRun(singletons(2, 2)), 1, 2, 2);
        assertEquals(0, ConsecutiveVersions.longestRun(List.of()).rowsets().size());
    }

    @Test
    void longestRunAtTheEnd() {
        ConsecutiveVersions.Run run = ConsecutiveVersions.longestRun(singletons(2, 4, 6, 10, 12, 20));
        assertRun(run, 9, 12, 20);
        assertEquals(4, run.missing().size());
    }

    @Test
    void emptyRunThresholdIsAMinimumAndTheRunIsTakenWhole() {
        List<RowsetMeta> rs = rowsets(concat("2-2:1KB", 3, 302, "303-303:1KB", 304, 306, "307-307:1KB"));
        List<RowsetMeta> run = EmptyRowsetRuns.firstRun(rs, 5, r -> false);
        assertEquals(300, run.size());
        assertEquals(3, run.get(0).startVersion());
        assertEquals(302, run.get(299).endVersion());
        assertEquals(List.of(), EmptyRowsetRuns.firstRun(rs, 10000, r -> false));
        assertEquals(300, EmptyRowsetRuns.firstRun(rs, 3, r -> false).size(), "the first qualifying run wins");
    }

    @Test
    void emptyRunAtTheTailIsNotPicked() {
        List<RowsetMeta> rs = rowsets(concat("2-2:1KB", 3, 52));
        assertEquals(List.of(), EmptyRowsetRuns.firstRun(rs, 5, r -> false));
    }

    @Test
    void deleteRowsetBreaksAnEmptyRun() {
        List<RowsetMeta> rs = rowsets(concat("2-2:1KB", 3, 9, "10-10:1KB"));
        assertEquals(List.of(), EmptyRowsetRuns.firstRun(rs, 5, r -> r.startVersion() == 6));
    }

    private static String[] concat(Object... parts) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] instanceof String s) {
                out.add(s);
            } else {
                int from = (Integer) parts[i];
                int to = (Integer) parts[++i];
                for (int v = from; v <= to; v++) {
                    out.add(v + "-" + v + ":0B");
                }
            }
        }
        return out.toArray(new String[0]);
    }
}
