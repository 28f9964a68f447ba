package io.compactor.actors.tablet;

import static io.compactor.actors.tablet.TabletFixture.TABLET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.load.LoadMetaCommit;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.storage.mow.MowChecker;
import io.compactor.storage.schema.KeysType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race {@link LoadReservations} defers: a merge-on-write compaction whose merge finishes while a
 * load holds the tablet's reservation. The load's marks on the compaction's inputs are not in the
 * bitmap yet; committed then, the compaction would lose them and the superseded rows would come back
 * (consistency rule 4 of docs/DESIGN.md). Deferred until the publish, it carries them. The whole
 * protocol runs here on a real tablet, without actors.
 */
class DeferredCompactionCommitTest {
    @TempDir
    Path dir;
    private TabletFixture tablet;
    private long txn;

    @AfterEach
    void close() {
        tablet.close();
    }

    /** Reserve, durable meta commit, publish: what the load committer drives. */
    private void commit(LoadReservations reservations, TabletWrite write, String label) {
        var prepared = reservations.prepare(tablet.state, ++txn, write);
        assertTrue(prepared.status().ok(), prepared.status()::toString);
        durableAndPublish(reservations, prepared, label);
    }

    private void durableAndPublish(LoadReservations reservations, TabletActor.PrepareResult prepared, String label) {
        LoadMetaCommit.write(tablet.engine, List.of(prepared), new LoadRecord("db", label, prepared.rowset().txnId(),
                1001, "VISIBLE", 1, 0, tablet.clock.millis()), "meta.commit", id -> true, label);
        reservations.publish(tablet.state, prepared.rowset().txnId(), prepared.rowset(), prepared.delta());
    }

    private MowChecker.Result check() throws Exception {
        var s = tablet.state;
        return MowChecker.check(s.dir, TABLET, s.table.schema(), s.meta.rowsets(), s.mow.deleted());
    }

    @Test
    void aCompactionCommitDeferredBehindALoadCarriesTheLoadsMarks() throws Exception {
        tablet = new TabletFixture(dir, Map.of(), KeysType.UNIQUE_KEYS);
        LoadReservations reservations = new LoadReservations();
        for (int i = 0; i < 5; i++) {
            commit(reservations, tablet.write(i * 100L, i * 100L + 100, i), "l" + i);
        }
        var pick = tablet.pick(CompactionType.CUMULATIVE);
        var merged = CompactionRun.merge(tablet.files(), pick, tablet.engine.nextRowsetId(),
                CompactionRun.settings(tablet.engine.config(), tablet.state.table, CompactionType.CUMULATIVE),
                tablet.engine.debugPoints());

        // An upsert of keys on the compaction's inputs reserves the next version before the merge result arrives.
        var upsert = reservations.prepare(tablet.state, ++txn, tablet.write(50, 250, 99));
        assertTrue(upsert.status().ok());
        List<String> ran = new ArrayList<>();
        Runnable compactionCommit = () -> {
            var committed = CompactionRun.commit(tablet.state, pick, merged, null, tablet.policyContext());
            ran.add(committed.status().toString());
        };
        assertTrue(reservations.deferCompactionCommit(compactionCommit), "the commit waits for the load");

        durableAndPublish(reservations, upsert, "upsert");
        reservations.takeRunnable().forEach(Runnable::run);

        assertEquals(List.of("[OK]"), ran);
        assertEquals(List.of("[0-1]", "[2-6]", "[7-7]"), TabletFixture.versions(tablet.state.meta));
        MowChecker.Result r = check();
        assertEquals(500, r.rows(), "500 keys, each visible once");
        assertEquals(0, r.duplicateKeys(), "the upsert's marks moved to the compaction's output");
        assertTrue(r.bitmapConsistent());
    }

    @Test
    void withoutTheDeferralTheLoadsMarksWouldBeLost() throws Exception {
        tablet = new TabletFixture(dir, Map.of(), KeysType.UNIQUE_KEYS);
        LoadReservations reservations = new LoadReservations();
        for (int i = 0; i < 5; i++) {
            commit(reservations, tablet.write(i * 100L, i * 100L + 100, i), "l" + i);
        }
        var pick = tablet.pick(CompactionType.CUMULATIVE);
        var merged = CompactionRun.merge(tablet.files(), pick, tablet.engine.nextRowsetId(),
                CompactionRun.settings(tablet.engine.config(), tablet.state.table, CompactionType.CUMULATIVE),
                tablet.engine.debugPoints());
        var upsert = reservations.prepare(tablet.state, ++txn, tablet.write(50, 250, 99));

        // What the deferral prevents: the compaction commits while the load holds the reservation.
        assertTrue(CompactionRun.commit(tablet.state, pick, merged, null, tablet.policyContext()).status().ok());
        durableAndPublish(reservations, upsert, "upsert");

        assertTrue(check().duplicateKeys() > 0, "the upsert's marks stayed on the replaced inputs");
    }
}
