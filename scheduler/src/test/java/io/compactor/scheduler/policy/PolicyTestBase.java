package io.compactor.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.Fixtures;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.ManualClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the policy tests: a manual clock at {@link Fixtures#NOW}, Doris's default config, and
 * invariant checks every pick and refusal must pass.
 */
public abstract class PolicyTestBase {
    protected ManualClock clock;
    protected CompactionConfig config;

    @BeforeEach
    void setUpClock() {
        clock = new ManualClock(Fixtures.NOW);
        config = CompactionConfig.defaults();
    }

    protected PolicyContext.Builder ctxBuilder() {
        return PolicyContext.builder(config, clock);
    }

    protected PolicyContext ctx() {
        return ctxBuilder().build();
    }

    protected static TableProperties timeSeries(Map<String, String> extra) {
        Map<String, String> m = new java.util.HashMap<>(extra);
        m.put(TableProperties.COMPACTION_POLICY, TableProperties.TIME_SERIES);
        return TableProperties.parse(m, false);
    }

    /** Runs a policy and checks the invariants of its result. */
    protected PickResult run(CompactionPolicy policy, TabletMeta tablet, PolicyContext ctx) {
        PickResult r = policy.pick(tablet, ctx);
        checkInvariants(tablet, r);
        return r;
    }

    protected CompactionPick expectPick(CompactionPolicy policy, TabletMeta tablet, PolicyContext ctx) {
        return assertInstanceOf(CompactionPick.class, run(policy, tablet, ctx));
    }

    protected Refusal expectRefusal(CompactionPolicy policy, TabletMeta tablet, PolicyContext ctx, String code) {
        Refusal r = assertInstanceOf(Refusal.class, run(policy, tablet, ctx));
        assertEquals(code, r.status().text(), r::reason);
        return r;
    }

    /** Inputs are consecutive visible rowsets, the output spans them, the score is their sum. */
    public static void checkInvariants(TabletMeta tablet, PickResult r) {
        assertFalse(r.reason().isBlank(), "every decision carries a reason");
        assertEquals(tablet.tabletId(), r.tabletId());
        assertTrue(r.cumulativePoint() >= tablet.cumulativePoint(), "cumulative point never moves backwards");
        if (r instanceof CompactionPick p) {
            List<RowsetMeta> in = p.inputs();
            assertFalse(in.isEmpty());
            for (int i = 1; i < in.size(); i++) {
                assertEquals(in.get(i - 1).endVersion() + 1, in.get(i).startVersion(),
                        () -> "inputs must be consecutive: " + in);
            }
            assertEquals(in.get(0).startVersion(), p.outputVersion().start());
            assertEquals(in.get(in.size() - 1).endVersion(), p.outputVersion().end());
            assertEquals(in.stream().mapToLong(RowsetMeta::compactionScore).sum(), p.score());
            assertTrue(tablet.allVisible(in), "inputs are the tablet's current rowsets");
            assertTrue(p.permits() == p.score() || p.permits() == 1);
        } else if (r instanceof Refusal f) {
            assertFalse(f.message().isBlank());
            assertTrue(f.statusString().startsWith("[" + f.status().text() + "]"));
        }
    }

    protected static List<String> versions(CompactionPick p) {
        return p.inputs().stream().map(rs -> rs.version().toString()).toList();
    }
}
