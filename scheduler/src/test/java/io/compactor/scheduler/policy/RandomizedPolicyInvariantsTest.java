package io.compactor.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.Fixtures;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drives a tablet through random loads and every kind of compaction, applying each pick as the
 * tablet actor would, and checks after each step that picks keep the invariants, the version chain
 * stays whole and the cumulative point never moves backwards. Seeded, so deterministic.
 */
class RandomizedPolicyInvariantsTest extends PolicyTestBase {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomLoadsAndCompactionsKeepInvariants(long seed) {
        Random rnd = new Random(seed);
        TableProperties props = seed % 2 == 0 ? TableProperties.DEFAULTS
                : timeSeries(Map.of(TableProperties.LEVEL_THRESHOLD, seed % 3 == 0 ? "2" : "1",
                        TableProperties.GOAL_SIZE, "64"));
        KeysType keys = seed % 4 == 1 ? KeysType.UNIQUE_KEYS : KeysType.DUPLICATE_KEYS;
        TabletMeta t = Fixtures.tablet(-1, "0-1:0B");
        long lastCumu = 0;
        long lastBase = 0;
        int picks = 0;
        for (int step = 0; step < 400; step++) {
            clock.advance(Duration.ofSeconds(rnd.nextInt(600)));
            int loads = rnd.nextInt(4);
            for (int i = 0; i < loads; i++) {
                long v = t.maxVersion() + 1;
                long bytes = rnd.nextInt(10) == 0 ? 0 : (long) (rnd.nextDouble() * 40 * Fixtures.MB);
                int segs = bytes == 0 ? 0 : 1 + rnd.nextInt(4);
                t = t.addRowset(Fixtures.make(Version.of(v), bytes, segs, SegmentsOverlap.OVERLAPPING, 0,
                        clock.millis()));
            }
            CompactionType type = CompactionType.values()[rnd.nextInt(10) < 7 ? 1 : rnd.nextInt(3)];
            PolicyContext ctx = ctxBuilder().tableProperties(props).keysType(keys).lastCumulativeSuccessMs(lastCumu)
                    .lastBaseSuccessMs(lastBase).build();
            PickResult r = run(CompactionPolicy.of(type, ctx), t, ctx);
            long cpBefore = t.cumulativePoint();
            if (r.cumulativePoint() != t.cumulativePoint()) {
                t = t.withCumulativePoint(r.cumulativePoint());
            }
            if (r instanceof Refusal f && f.initializeSuccessTimes()) {
                lastCumu = lastCumu == 0 ? clock.millis() : lastCumu;
                lastBase = lastBase == 0 ? clock.millis() : lastBase;
            }
            if (r instanceof CompactionPick p) {
                picks++;
                if (p.type() == CompactionType.BASE) {
                    assertTrue(p.outputVersion().end() < t.cumulativePoint(), "base stays below the point");
                } else if (p.type() == CompactionType.CUMULATIVE) {
                    assertTrue(p.outputVersion().start() >= t.cumulativePoint(), "cumulative stays above it");
                }
                long bytes = p.inputBytes();
                int level = bytes == 0 ? 0 : p.outputLevel();
                RowsetMeta out = Fixtures.make(p.outputVersion(), bytes, bytes == 0 ? 0 : 1,
                        SegmentsOverlap.NONOVERLAPPING, level, clock.millis());
                TabletMeta before = t;
                t = t.replaceRowsets(p.inputs(), out, clock.millis());
                long cp = CumulativeCompactionPolicy.forTable(props).updatedCumulativePoint(before, p, out, ctx);
                t = t.withCumulativePoint(cp);
                if (p.type() == CompactionType.BASE) {
                    lastBase = clock.millis();
                } else {
                    lastCumu = clock.millis();
                }
            }
            assertTrue(t.cumulativePoint() >= cpBefore, "cumulative point is monotonic");
            assertEquals(List.of(), t.missingVersions(), "the version chain stays whole");
            assertEquals(0, t.rowsets().get(0).startVersion());
        }
        assertTrue(picks > 20, "the simulation compacted (" + picks + " picks)");
        assertTrue(t.versionCount() < 200, "compaction keeps up with loads: " + t.versionCount() + " versions");
    }
}
