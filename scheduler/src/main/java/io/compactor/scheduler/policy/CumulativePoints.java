package io.compactor.scheduler.policy;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TabletMeta;

/**
 * Every rule that moves a tablet's cumulative point, in one place (Doris §2.4). The point never
 * moves backwards; the tablet stores what these answer, durably, before it acts on it.
 */
public final class CumulativePoints {
    private CumulativePoints() {
    }

    /**
     * The point a tablet should hold before its policies pick: its own, or the policy's initial one
     * when it has none yet (Doris calculates it at a tablet's first cumulative compaction).
     */
    public static long beforePick(TabletMeta tablet, PolicyContext ctx) {
        return CumulativeCompactionPolicy.forTable(ctx.tableProperties()).effectiveCumulativePoint(tablet, ctx);
    }

    /** The tablet as its policies see it: with {@link #beforePick} as its point (nothing is stored). */
    public static TabletMeta withPointForPicking(TabletMeta tablet, PolicyContext ctx) {
        long cp = beforePick(tablet, ctx);
        return cp == tablet.cumulativePoint() ? tablet : tablet.withCumulativePoint(cp);
    }

    /** After a decision (pick or refusal): a policy may have advanced the point, never moved it back. */
    public static long afterDecision(TabletMeta tablet, PickResult decision) {
        return Math.max(tablet.cumulativePoint(), decision.cumulativePoint());
    }

    /** After {@code pick} committed {@code output} (which carries its compaction level). */
    public static long afterCompaction(TabletMeta before, CompactionPick pick, RowsetMeta output, PolicyContext ctx) {
        long cp = CumulativeCompactionPolicy.forTable(ctx.tableProperties())
                .updatedCumulativePoint(before, pick, output, ctx);
        return Math.max(cp, before.cumulativePoint());
    }

    /**
     * After rowsets copied from a peer replaced some of {@code before}'s, giving {@code after}: the
     * peer's point when it is ahead, but never backwards and never inside a rowset (a point inside
     * one moves to just after it; beyond the chain it stays at its end + 1).
     *
     * @param peerPoint the peer's cumulative point, or -1 when unknown
     */
    public static long afterInstall(TabletMeta before, TabletMeta after, long peerPoint) {
        long cp = Math.max(before.cumulativePoint(), peerPoint);
        if (cp == TabletMeta.INVALID_CUMULATIVE_POINT) {
            return cp;
        }
        for (RowsetMeta r : after.rowsets()) {
            if (r.startVersion() < cp && cp <= r.endVersion()) {
                return r.endVersion() + 1;
            }
        }
        return Math.max(before.cumulativePoint(), Math.min(cp, after.maxVersion() + 1));
    }
}
