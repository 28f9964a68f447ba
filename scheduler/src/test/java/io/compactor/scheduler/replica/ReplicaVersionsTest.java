package io.compactor.scheduler.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.rowset.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The version matching of single-replica compaction and replica catch-up, with the cases of
 * Doris's {@code single_replica_compaction_test} ({@code _find_rowset_to_fetch}).
 */
class ReplicaVersionsTest {

    /** "[0-1][2-2][3-5]" to versions. */
    private static List<Version> chain(String text) {
        List<Version> out = new ArrayList<>();
        for (String part : text.substring(1, text.length() - 1).split("]\\[")) {
            String[] ab = part.split("-");
            out.add(new Version(Long.parseLong(ab[0]), Long.parseLong(ab[1])));
        }
        return out;
    }

    private static String fetch(String local, String peer) {
        return ReplicaVersions.findRowsetToFetch(chain(local), chain(peer))
                .map(m -> m.fetch() + " replaces " + m.replaced().stream().map(Version::toString)
                        .reduce("", String::concat))
                .orElse(ReplicaVersions.NO_MATCH);
    }

    @Test
    void fetchesThePeerVersionCoveringConsecutiveLocalOnes() {
        assertEquals("[3-5] replaces [3-3][4-4][5-5]", fetch("[0-1][2-2][3-3][4-4][5-5]", "[0-1][2-2][3-5]"));
        // The first differing peer version wins, even with more after it.
        assertEquals("[2-4] replaces [2-2][3-3][4-4]", fetch("[0-1][2-2][3-3][4-4][5-5]", "[0-1][2-4][5-5]"));
        // Peer compacted the base: [0-5] covers everything local.
        assertEquals("[0-5] replaces [0-1][2-2][3-3][4-4][5-5]", fetch("[0-1][2-2][3-3][4-4][5-5]", "[0-5]"));
        // Local already compacted part of the range on its own ([2-3]); the peer's [2-5] still lines up.
        assertEquals("[2-5] replaces [2-3][4-5]", fetch("[0-1][2-3][4-5]", "[0-1][2-5][6-6]"));
    }

    @Test
    void noMatchWhenVersionsDoNotLineUp() {
        // Identical chains: nothing new.
        assertEquals(ReplicaVersions.NO_MATCH, fetch("[0-1][2-2][3-3]", "[0-1][2-2][3-3]"));
        // Peer version starts inside a local rowset.
        assertEquals(ReplicaVersions.NO_MATCH, fetch("[0-1][2-3][4-4]", "[0-1][2-2][3-4]"));
        // Peer version ends inside a local rowset.
        assertEquals(ReplicaVersions.NO_MATCH, fetch("[0-1][2-2][3-5]", "[0-1][2-4][5-5]"));
        // Peer is ahead: its next version reaches beyond what this replica has.
        assertEquals(ReplicaVersions.NO_MATCH, fetch("[0-1][2-2][3-3]", "[0-1][2-5]"));
        // Local has more versions than the peer, whose chain is a prefix.
        assertEquals(ReplicaVersions.NO_MATCH, fetch("[0-1][2-2][3-3]", "[0-1][2-2]"));
    }

    @Test
    void oneFetchTakesEveryRangeThePeerCompactedSinceTheLast() {
        List<ReplicaVersions.Match> all = ReplicaVersions.findRowsetsToFetch(
                chain("[0-1][2-9][10-10][11-11][12-12][13-13][14-14][15-15]"), chain("[0-1][2-9][10-12][13-15]"));
        assertEquals(2, all.size());
        assertEquals(new Version(10, 12), all.get(0).fetch());
        assertEquals(chain("[10-10][11-11][12-12]"), all.get(0).replaced());
        assertEquals(new Version(13, 15), all.get(1).fetch());
        assertEquals(chain("[13-13][14-14][15-15]"), all.get(1).replaced());
        // A range reaching past our last load stops the list; what precedes it is still taken.
        assertEquals(1, ReplicaVersions.findRowsetsToFetch(chain("[0-1][2-2][3-3][4-4]"), chain("[0-1][2-3][4-6]"))
                .size());
        assertTrue(ReplicaVersions.findRowsetsToFetch(chain("[0-1][2-2]"), chain("[0-1][2-2]")).isEmpty());
    }

    @Test
    void aMissOnlyBecauseThePeerHasNotCompactedPastUsIsEarlyNotADivergence() {
        // Identical chains, a prefix either way, or a peer rowset reaching past our last load: early.
        assertTrue(ReplicaVersions.onlyEarly(chain("[0-1][2-2][3-3]"), chain("[0-1][2-2][3-3]")));
        assertTrue(ReplicaVersions.onlyEarly(chain("[0-1][2-2][3-3]"), chain("[0-1][2-2]")));
        assertTrue(ReplicaVersions.onlyEarly(chain("[0-1][2-2]"), chain("[0-1][2-2][3-3]")));
        assertTrue(ReplicaVersions.onlyEarly(chain("[0-1][2-2][3-3]"), chain("[0-1][2-5]")));
        // The chains do not line up: Doris's CANCELLED with its long skip.
        assertFalse(ReplicaVersions.onlyEarly(chain("[0-1][2-3][4-4]"), chain("[0-1][2-2][3-4]")));
        assertFalse(ReplicaVersions.onlyEarly(chain("[0-1][2-2][3-5]"), chain("[0-1][2-4][5-5]")));
    }

    private static String plan(String local, String peer) {
        ReplicaVersions.CatchUpPlan p = ReplicaVersions.catchUp(chain(local), chain(peer));
        return p.fetch().stream().map(Version::toString).reduce("", String::concat) + " replaces "
                + p.replaced().stream().map(Version::toString).reduce("", String::concat);
    }

    @Test
    void catchUpFetchesOnlyTheMissingSuffixWhenItLinesUp() {
        assertEquals("[4-4][5-5] replaces ", plan("[0-1][2-2][3-3]", "[0-1][2-2][3-3][4-4][5-5]"));
        // The peer compacted the tail: [6-6] starts right after local end 5.
        assertEquals("[6-6][7-9] replaces ", plan("[0-1][2-2][3-3][4-5]", "[0-1][2-4][5-5][6-6][7-9]"));
        // The missing versions sit inside a peer compaction output: take it, replace local [2-2][3-3].
        assertEquals("[2-5] replaces [2-2][3-3]", plan("[0-1][2-2][3-3]", "[0-1][2-5]"));
        // Starts at a local rowset start and covers the rest of the local chain.
        assertEquals("[2-2][3-4] replaces [2-3]", plan("[0-1][2-3]", "[0-1][2-2][3-4]"));
    }

    @Test
    void catchUpReplacesTheWholeChainAsFallbackAndIsEmptyWhenNotBehind() {
        assertEquals("[0-9] replaces [0-1][2-3]", plan("[0-1][2-3]", "[0-9]"));
        assertEquals("[0-1][2-5] replaces [0-3]", plan("[0-3]", "[0-1][2-5]"));
        assertTrue(ReplicaVersions.catchUp(chain("[0-1][2-5]"), chain("[0-1][2-5]")).isEmpty());
        assertTrue(ReplicaVersions.catchUp(chain("[0-1][2-6]"), chain("[0-1][2-5]")).isEmpty());
        assertTrue(ReplicaVersions.catchUp(chain("[0-1]"), List.of()).isEmpty());
    }

    @Test
    void designationIsTheSmallestHashAndDeterministic() {
        List<Long> ids = List.of(11L, 12L, 13L);
        OptionalLong d = SingleReplicaDesignation.designate(ids);
        assertTrue(d.isPresent());
        for (long id : ids) {
            assertTrue(SingleReplicaDesignation.score(d.getAsLong()) <= SingleReplicaDesignation.score(id));
            assertTrue(SingleReplicaDesignation.score(id) < SingleReplicaDesignation.MODULUS);
        }
        assertEquals(d, SingleReplicaDesignation.designate(List.of(13L, 12L, 11L)), "order does not matter");
        assertNotEquals(SingleReplicaDesignation.score(1), SingleReplicaDesignation.score(2));
        assertTrue(SingleReplicaDesignation.designate(List.of()).isEmpty());
        // Remove the designated one: another takes over.
        List<Long> rest = new ArrayList<>(ids);
        rest.remove(Long.valueOf(d.getAsLong()));
        assertNotEquals(d, SingleReplicaDesignation.designate(rest));
    }
}
