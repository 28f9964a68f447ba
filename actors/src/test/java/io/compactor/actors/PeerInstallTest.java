package io.compactor.actors;

import io.compactor.actors.node.Node;
import io.compactor.storage.util.StatusCode;
import static io.compactor.actors.TestNode.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TabletActor.InstallPeerRowsets} on its own: atomic (one meta commit that survives a
 * restart), optimistic (refused, and its files deleted, when a replaced rowset is no longer
 * visible: docs/DESIGN.md rule 3), replaced rowsets become stale as compaction inputs do (rule 5), and a chain
 * that would break is refused.
 */
class PeerInstallTest {
    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private TabletActor.InstallResult install(long tablet, List<RowsetMeta> replaced, List<RowsetMeta> installed) {
        return join(AskPattern.<TabletActor.Command, TabletActor.InstallResult>ask(node.unwrap(Node.class).catalog().tablet(tablet),
                replyTo -> new TabletActor.InstallPeerRowsets(replaced, installed, null, null, -1, "test", replyTo),
                Duration.ofSeconds(30), node.unwrap(Node.class).system().scheduler()));
    }

    /** A copy of {@code source}'s files under a new id, as a fetch would leave them, with another version. */
    private RowsetMeta copyAs(TabletMeta meta, RowsetMeta source, Version v) throws Exception {
        DataDir d = node.unwrap(Node.class).engine().dataDir(meta.dataDir());
        RowsetId id = node.unwrap(Node.class).engine().nextRowsetId();
        for (int s = 0; s < source.numSegments(); s++) {
            Files.copy(d.segmentPath(meta.tabletId(), source.rowsetId(), s), d.segmentPath(meta.tabletId(), id, s));
        }
        return new RowsetMeta(id, meta.tabletId(), v, source.segments(), source.overlap(), source.creationTimeMs(), 0, 0);
    }

    private boolean filesExist(TabletMeta meta, RowsetMeta r) {
        return Files.exists(node.unwrap(Node.class).engine().dataDir(meta.dataDir()).segmentPath(meta.tabletId(), r.rowsetId(), 0));
    }

    @Test
    void installIsAtomicOptimisticAndDurable() throws Exception {
        node = TestNode.start(dir, Map.of("disable_auto_compaction", true));
        long tablet = TestNode.createTable(node, "t", KeysType.DUPLICATE_KEYS, 1).tabletIds().get(0);
        for (int l = 0; l < 3; l++) {
            TestNode.load(node, "t", TestNode.csv(Map.of((long) l, (long) l)), "l" + l);
        }
        TabletMeta meta = join(node.reads().tabletMeta(tablet));
        RowsetMeta r2 = meta.rowsets().get(1);
        RowsetMeta r3 = meta.rowsets().get(2);
        RowsetMeta r4 = meta.rowsets().get(3);

        // A chain with a hole is refused and the new files go.
        RowsetMeta holey = copyAs(meta, r2, new Version(2, 2));
        TabletActor.InstallResult bad = install(tablet, List.of(r2, r3), List.of(holey));
        assertFalse(bad.status().ok());
        assertTrue(bad.status().msg().contains("version chain"), bad.status().toString());
        assertFalse(filesExist(meta, holey));

        // [2-3] in place of [2-2][3-3]; the extension [5-5] after the chain in the same commit.
        RowsetMeta merged = copyAs(meta, r2, new Version(2, 3));
        RowsetMeta extra = copyAs(meta, r4, new Version(5, 5));
        TabletActor.InstallResult ok = install(tablet, List.of(r2, r3), List.of(merged, extra));
        assertEquals(Status.OK, ok.status());
        assertEquals(List.of("[0-1]", "[2-3]", "[4-4]", "[5-5]"),
                ok.meta().rowsets().stream().map(r -> r.version().toString()).toList());
        assertEquals(List.of(r2.rowsetId(), r3.rowsetId()),
                ok.meta().staleRowsets().stream().map(s -> s.rowset().rowsetId()).toList());
        assertTrue(filesExist(meta, r2), "stale rowsets keep their files for readers");

        // The same replaced rowsets again: no longer visible, refused, its files deleted.
        RowsetMeta late = copyAs(meta, r2, new Version(2, 3));
        TabletActor.InstallResult refused = install(tablet, List.of(r2, r3), List.of(late));
        assertEquals(StatusCode.DELETE_VERSION_ERROR, refused.status().code());
        assertFalse(filesExist(meta, late));

        // Durable: a restart recovers exactly the installed chain; a load continues it.
        node.close();
        node = TestNode.start(dir, Map.of("disable_auto_compaction", true));
        TabletMeta after = join(node.reads().tabletMeta(tablet));
        assertEquals(ok.meta().rowsets(), after.rowsets());
        assertTrue(filesExist(after, merged) && filesExist(after, extra));
        TestNode.load(node, "t", TestNode.csv(Map.of(9L, 9L)), "l9");
        assertEquals(6, join(node.reads().tabletMeta(tablet)).maxVersion());
    }
}
