package io.compactor.actors.tablet;

import static io.compactor.actors.tablet.TabletFixture.TABLET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.RowsetMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stale sweep on a real tablet, without actors: time first, then readers, meta before files. */
class StaleSweeperTest {
    private static final long KEEP_MS = Duration.ofMinutes(5).toMillis();
    @TempDir
    Path dir;
    private TabletFixture tablet;

    @AfterEach
    void close() {
        tablet.close();
    }

    private List<RowsetMeta> compactFiveLoads() {
        tablet = new TabletFixture(dir, Map.of());
        for (int i = 0; i < 5; i++) {
            tablet.load(i * 100L, i * 100L + 100);
        }
        assertTrue(tablet.compact(CompactionType.CUMULATIVE).status().ok());
        return tablet.state.meta.staleRowsets().stream().map(s -> s.rowset()).toList();
    }

    private boolean filesExist(List<RowsetMeta> rowsets) {
        return rowsets.stream().anyMatch(r -> tablet.segmentFiles().contains(DataDir.segmentFileName(r.rowsetId(), 0)));
    }

    @Test
    void staleRowsetsStayUntilTheirTimeThenGoMetaAndFiles() {
        List<RowsetMeta> stale = compactFiveLoads();
        assertTrue(StaleSweeper.sweep(tablet.state, tablet.clock.millis(), KEEP_MS).isEmpty());
        assertTrue(filesExist(stale));

        tablet.clock.advance(Duration.ofMillis(KEEP_MS));
        assertEquals(5, StaleSweeper.sweep(tablet.state, tablet.clock.millis(), KEEP_MS).size());
        assertTrue(tablet.state.meta.staleRowsets().isEmpty());
        assertFalse(filesExist(stale));
        var stored = tablet.engine.meta().loadTablets().stream().filter(t -> t.tabletId() == TABLET).findFirst()
                .orElseThrow();
        assertTrue(stored.staleRowsets().isEmpty(), "the meta went first, durably");
    }

    @Test
    void aRowsetAReaderHoldsStaysUntilTheReaderLetsGo() {
        List<RowsetMeta> stale = compactFiveLoads();
        Runnable release = tablet.state.readers.acquire(List.of(stale.get(0)));
        tablet.clock.advance(Duration.ofMillis(KEEP_MS));
        assertEquals(4, StaleSweeper.sweep(tablet.state, tablet.clock.millis(), KEEP_MS).size());
        assertEquals(1, tablet.state.meta.staleRowsets().size());
        assertTrue(filesExist(List.of(stale.get(0))));
        release.run();
        assertEquals(1, StaleSweeper.sweep(tablet.state, tablet.clock.millis(), KEEP_MS).size());
        assertFalse(filesExist(stale));
    }

    @Test
    void aDroppedTabletsFilesGoOnceNoReaderHoldsThem() {
        compactFiveLoads();
        Runnable release = tablet.state.readers.acquire(tablet.state.meta.rowsets());
        tablet.state.dropped = true;
        assertFalse(StaleSweeper.removeDroppedTablet(tablet.state));
        release.run();
        assertTrue(StaleSweeper.removeDroppedTablet(tablet.state));
        assertFalse(java.nio.file.Files.exists(tablet.state.dir.tabletPath(TABLET)));
    }
}
