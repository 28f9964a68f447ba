package io.compactor.scheduler.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionType;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one exclusion rule the supervisor (before granting) and the tablet (when a grant arrives) both apply. */
class CompactionExclusionTest {
    private static final CompactionType CUMU = CompactionType.CUMULATIVE;
    private static final CompactionType BASE = CompactionType.BASE;
    private static final CompactionType FULL = CompactionType.FULL;

    @Test
    void baseAndCumulativeRunTogetherButNotTwiceEach() {
        assertTrue(CompactionExclusion.allows(CUMU, Set.of(BASE), false));
        assertTrue(CompactionExclusion.allows(BASE, Set.of(CUMU), false));
        assertFalse(CompactionExclusion.allows(CUMU, Set.of(CUMU), false));
        assertFalse(CompactionExclusion.allows(BASE, Set.of(BASE), false));
    }

    @Test
    void fullRunsAloneAndASingleReplicaFetchToo() {
        for (CompactionType t : CompactionType.values()) {
            assertFalse(CompactionExclusion.allows(t, Set.of(FULL), false), t + " next to full");
            assertFalse(CompactionExclusion.allows(t, Set.of(), true), t + " next to a fetch");
            assertTrue(CompactionExclusion.allows(t, Set.of(), false));
        }
        assertFalse(CompactionExclusion.allows(FULL, Set.of(BASE), false));
        assertFalse(CompactionExclusion.allowsFetch(EnumSet.of(BASE), false));
        assertFalse(CompactionExclusion.allowsFetch(Set.of(), true));
        assertTrue(CompactionExclusion.allowsFetch(Set.of(), false));
    }

    @Test
    void refusalsAreDorisTryLockAnswers() {
        assertEquals("[E-216]The tablet is under cumulative compaction. tablet=7",
                CompactionExclusion.refusal(7, CUMU, Set.of(FULL), false).orElseThrow().toString());
        assertEquals("[E-216]another base compaction is running. tablet=7",
                CompactionExclusion.refusal(7, BASE, Set.of(BASE), false).orElseThrow().toString());
        assertEquals("[E-216]The tablet is under compaction, full compaction can not run now. tablet=7",
                CompactionExclusion.refusal(7, FULL, Set.of(CUMU), false).orElseThrow().toString());
        assertTrue(CompactionExclusion.refusal(7, CUMU, Set.of(BASE), false).isEmpty());
        assertEquals("[E-216]The tablet is under compaction. tablet=7",
                CompactionExclusion.fetchRefusal(7, Set.of(CUMU), false).orElseThrow().toString());
    }
}
