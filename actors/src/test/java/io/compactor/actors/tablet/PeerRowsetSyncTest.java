package io.compactor.actors.tablet;

import static io.compactor.actors.tablet.TabletFixture.TABLET;
import static io.compactor.actors.tablet.TabletFixture.versions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.replica.ReplicaVersions;
import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.peer.PeerRowsetFetcher;
import io.compactor.storage.peer.PeerRowsets;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer rowset sync on its own: single-replica fetch and catch-up share one fetch and one install;
 * the peer is another tablet on its own storage engine, copied from by file (no HTTP, no actors).
 */
class PeerRowsetSyncTest {
    @TempDir
    Path localDir;
    @TempDir
    Path peerDir;
    private TabletFixture local;
    private TabletFixture peer;
    private int downloads;

    @AfterEach
    void close() {
        local.close();
        peer.close();
    }

    /** The peer's rowsets as its HTTP endpoint lists them, its files copied as the fetcher would. */
    private PeerRowsetSync.PeerSource source() {
        return new PeerRowsetSync.PeerSource() {
            @Override
            public String name() {
                return "peer:8040";
            }

            @Override
            public PeerRowsets list(long tabletId) {
                return PeerRowsets.of(peer.state.meta);
            }

            @Override
            public PeerRowsetFetcher.Fetched download(long tabletId, List<RowsetMeta> wanted, DataDir dir,
                                                      Schema schema, Supplier<RowsetId> ids) throws IOException {
                downloads++;
                List<RowsetMeta> out = new ArrayList<>();
                long bytes = 0;
                for (RowsetMeta r : wanted) {
                    RowsetId id = ids.get();
                    for (int s = 0; s < r.numSegments(); s++) {
                        Path from = peer.state.dir.segmentPath(tabletId, r.rowsetId(), s);
                        bytes += Files.size(from);
                        dir.tabletDir(tabletId);
                        Files.copy(from, dir.segmentPath(tabletId, id, s));
                    }
                    out.add(new RowsetMeta(id, tabletId, r.version(), r.segments(), r.overlap(), r.creationTimeMs(),
                            r.compactionLevel(), r.txnId()));
                }
                return new PeerRowsetFetcher.Fetched(out, bytes);
            }
        };
    }

    private void loadBoth(int n) {
        for (int i = 0; i < n; i++) {
            local.load(i * 100L, i * 100L + 100);
            peer.load(i * 100L, i * 100L + 100);
        }
    }

    private PeerRowsetSync.Fetch fetch(PeerRowsetSync.Purpose purpose) throws IOException {
        return PeerRowsetSync.fetch(purpose, source(), TABLET, local.state.meta.rowsets(), local.state.dir,
                TabletFixture.SCHEMA, null, local.engine::nextRowsetId);
    }

    @Test
    void aFollowerTakesThePeersOutputInPlaceOfTheRowsetsItCovers() throws IOException {
        local = new TabletFixture(localDir, Map.of());
        peer = new TabletFixture(peerDir, Map.of());
        loadBoth(5);
        assertTrue(peer.compact(CompactionType.CUMULATIVE).status().ok());

        var fetch = fetch(PeerRowsetSync.Purpose.SINGLE_REPLICA);
        assertEquals(List.of("[2-2]", "[3-3]", "[4-4]", "[5-5]", "[6-6]"),
                fetch.replaced().stream().map(r -> r.version().toString()).toList());
        assertEquals(1, fetch.installed().size());
        var status = PeerRowsetSync.install(local.state, fetch);

        assertTrue(status.ok(), status::toString);
        assertEquals(List.of("[0-1]", "[2-6]"), versions(local.state.meta));
        assertEquals(5, local.state.meta.staleRowsets().size(), "replaced rowsets go stale, as compaction inputs do");
        assertEquals(500, local.state.meta.totalRows());
        assertEquals(local.state.meta.rowsets(), local.engine.meta().loadTablets().stream()
                .filter(t -> t.tabletId() == TABLET).findFirst().orElseThrow().rowsets(), "one durable commit");
    }

    @Test
    void aFollowerWithNothingToTakeIsCancelledAsDorisSays() {
        local = new TabletFixture(localDir, Map.of());
        peer = new TabletFixture(peerDir, Map.of());
        loadBoth(3);
        var e = assertThrows(StatusException.class, () -> fetch(PeerRowsetSync.Purpose.SINGLE_REPLICA));
        assertEquals(StatusCode.CANCELLED, e.status().code());
        assertTrue(e.status().msg().startsWith(ReplicaVersions.NO_MATCH), e.status()::toString);
        assertEquals(0, downloads);
    }

    @Test
    void aLaggingReplicaCopiesThePeersMissingSuffix() throws IOException {
        local = new TabletFixture(localDir, Map.of());
        peer = new TabletFixture(peerDir, Map.of());
        loadBoth(3);
        peer.load(300, 400);
        peer.load(400, 500);

        var fetch = fetch(PeerRowsetSync.Purpose.CATCH_UP);
        assertTrue(PeerRowsetSync.install(local.state, fetch).ok());
        assertEquals(6, local.state.meta.maxVersion());
        assertEquals(500, local.state.meta.totalRows());
        assertTrue(local.state.meta.staleRowsets().isEmpty(), "a suffix that only extends the chain replaces nothing");
    }

    @Test
    void aReplicaThatIsNotBehindFetchesNothing() throws IOException {
        local = new TabletFixture(localDir, Map.of());
        peer = new TabletFixture(peerDir, Map.of());
        loadBoth(3);
        assertTrue(fetch(PeerRowsetSync.Purpose.CATCH_UP).isEmpty());
        assertEquals(0, downloads);
    }

    @Test
    void anInstallWhoseRowsetsACompactionReplacedMeanwhileIsRefusedAndLeavesNoFile() throws IOException {
        local = new TabletFixture(localDir, Map.of());
        peer = new TabletFixture(peerDir, Map.of());
        loadBoth(5);
        assertTrue(peer.compact(CompactionType.CUMULATIVE).status().ok());
        var fetch = fetch(PeerRowsetSync.Purpose.SINGLE_REPLICA);
        assertTrue(local.compact(CompactionType.CUMULATIVE).status().ok(), "the follower compacted meanwhile");
        List<String> before = versions(local.state.meta);

        var status = PeerRowsetSync.install(local.state, fetch);
        assertEquals(StatusCode.DELETE_VERSION_ERROR, status.code());
        assertEquals(before, versions(local.state.meta));
        RowsetMeta fetched = fetch.installed().get(0);
        assertFalse(local.segmentFiles().contains(DataDir.segmentFileName(fetched.rowsetId(), 0)),
                "the fetched files are deleted");
    }

    @Test
    void anInstallOnADroppedTabletIsNotFound() throws IOException {
        local = new TabletFixture(localDir, Map.of());
        peer = new TabletFixture(peerDir, Map.of());
        loadBoth(5);
        assertTrue(peer.compact(CompactionType.CUMULATIVE).status().ok());
        var fetch = fetch(PeerRowsetSync.Purpose.SINGLE_REPLICA);
        local.state.dropped = true;
        assertEquals("[NOT_FOUND]Tablet not found. tablet_id=" + TABLET,
                PeerRowsetSync.install(local.state, fetch).toString());
    }
}
