package io.compactor.scheduler.replica;

import io.compactor.storage.rowset.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure version matching between this replica's visible rowsets and a peer's: which peer rowsets
 * a single-replica follower fetches (Doris's {@code _find_rowset_to_fetch}) and which a lagging
 * replica copies to catch up. Both inputs are version chains sorted by version; nothing here
 * does IO.
 */
public final class ReplicaVersions {
    /** Doris's CANCELLED message when the peer has nothing that lines up with the local chain. */
    public static final String NO_MATCH = "no matched versions for single replica compaction";

    /**
     * Message of a CANCELLED fetch that is only early, not a mismatch: the peer has compacted
     * nothing past the common prefix yet, or what it compacted ends beyond this replica's loads.
     */
    public static final String NOTHING_NEWER = NO_MATCH + " (the peer has compacted nothing this replica can take yet)";

    private ReplicaVersions() {
    }

    /**
     * Whether a failed {@link #findRowsetToFetch} is only early (this replica should look again
     * soon) rather than a divergence of the chains (Doris's 10 s skip): the peer's chain has nothing
     * beyond the common prefix, this replica's chain ends within the prefix, or the peer's next
     * rowset starts where the local one does but ends beyond this replica's last version.
     */
    public static boolean onlyEarly(List<Version> local, List<Version> peer) {
        int idx = 0;
        while (idx < local.size() && idx < peer.size() && local.get(idx).equals(peer.get(idx))) {
            idx++;
        }
        if (idx >= local.size() || idx >= peer.size()) {
            return true;
        }
        Version want = peer.get(idx);
        return local.get(idx).start() == want.start() && want.end() > local.get(local.size() - 1).end();
    }

    /**
     * One peer rowset to fetch and the local rowsets it replaces.
     *
     * @param fetch    the peer's version, e.g. {@code [3-5]}
     * @param replaced the local versions it covers exactly, e.g. {@code [3-3][4-4][5-5]}
     */
    public record Match(Version fetch, List<Version> replaced) {
        public Match {
            replaced = List.copyOf(replaced);
        }
    }

    /**
     * Doris's {@code _find_rowset_to_fetch}: skip the common prefix of identical versions; the next
     * peer version must start where the next local one starts and end exactly where one of the
     * following local rowsets ends, covering them all (peer {@code [3-5]} against local
     * {@code [3-3][4-4][5-5]} fetches {@code [3-5]}). Empty when there is no such version
     * ({@link #NO_MATCH}): the peer has not compacted anything this replica could take, or the
     * chains diverge.
     */
    public static Optional<Match> findRowsetToFetch(List<Version> local, List<Version> peer) {
        int idx = 0;
        while (idx < local.size() && idx < peer.size() && local.get(idx).equals(peer.get(idx))) {
            idx++;
        }
        if (idx >= local.size() || idx >= peer.size()) {
            return Optional.empty();
        }
        Version want = peer.get(idx);
        if (local.get(idx).start() != want.start()) {
            return Optional.empty();
        }
        List<Version> covered = new ArrayList<>();
        long expectedStart = want.start();
        for (int i = idx; i < local.size(); i++) {
            Version v = local.get(i);
            if (v.start() != expectedStart || v.end() > want.end()) {
                return Optional.empty();
            }
            covered.add(v);
            if (v.end() == want.end()) {
                return Optional.of(new Match(want, covered));
            }
            expectedStart = v.end() + 1;
        }
        return Optional.empty();
    }

    /**
     * Every peer rowset one fetch can take, in order: {@link #findRowsetToFetch} repeated on the
     * chain as it will be after each match (the designated replica may have compacted several
     * ranges since the last fetch; taking one per fetch would leave the follower further behind
     * every time). Empty when not even the first matches.
     */
    public static List<Match> findRowsetsToFetch(List<Version> local, List<Version> peer) {
        List<Match> out = new ArrayList<>();
        List<Version> cur = new ArrayList<>(local);
        while (true) {
            Optional<Match> m = findRowsetToFetch(cur, peer);
            if (m.isEmpty()) {
                return out;
            }
            out.add(m.get());
            int at = cur.indexOf(m.get().replaced().get(0));
            cur.removeAll(m.get().replaced());
            cur.add(at, m.get().fetch());
        }
    }

    /**
     * How a lagging replica reaches the peer's end version.
     *
     * @param fetch    peer versions to copy, in order (empty: nothing to do)
     * @param replaced local versions they replace (all lie inside the fetched range)
     */
    public record CatchUpPlan(List<Version> fetch, List<Version> replaced) {
        public CatchUpPlan {
            fetch = List.copyOf(fetch);
            replaced = List.copyOf(replaced);
        }

        /** Whether the local chain already reaches the peer's end version. */
        public boolean isEmpty() {
            return fetch.isEmpty();
        }
    }

    /**
     * The smallest suffix of the peer's chain that makes the local chain end where the peer's ends:
     * its first rowset starts where a local rowset starts (that one and every later local rowset
     * are replaced, and must lie inside the fetched range) or right after the local end (nothing is
     * replaced). If no suffix lines up, the whole peer chain replaces the whole local chain. Empty
     * when the local chain already reaches the peer's end version (or the peer has nothing).
     */
    public static CatchUpPlan catchUp(List<Version> local, List<Version> peer) {
        if (peer.isEmpty()) {
            return new CatchUpPlan(List.of(), List.of());
        }
        long peerEnd = peer.get(peer.size() - 1).end();
        long localEnd = local.isEmpty() ? -1 : local.get(local.size() - 1).end();
        if (localEnd >= peerEnd) {
            return new CatchUpPlan(List.of(), List.of());
        }
        for (int i = peer.size() - 1; i >= 0; i--) {
            long start = peer.get(i).start();
            if (start == localEnd + 1) {
                return new CatchUpPlan(peer.subList(i, peer.size()), List.of());
            }
            int at = indexOfStart(local, start);
            if (at >= 0) {
                // Every local rowset from there on ends by localEnd < peerEnd: inside the fetched range.
                return new CatchUpPlan(peer.subList(i, peer.size()), local.subList(at, local.size()));
            }
        }
        return new CatchUpPlan(peer, local);
    }

    private static int indexOfStart(List<Version> chain, long start) {
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).start() == start) {
                return i;
            }
        }
        return -1;
    }
}
