package io.compactor.actors.node;

import io.compactor.storage.DataDir;
import io.compactor.api.Reads;
import io.compactor.api.SegmentLossReport;
import io.compactor.storage.engine.BadTablets;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.tablet.TabletSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Doris's {@code check_tablet_segment_lost}: checks every segment file of every visible rowset of
 * every tablet. Doris only checks that the files exist; we also read and verify every page and
 * the footer against their CRC32C ({@link SegmentReader#verifyAll}), so a flipped byte is found
 * too, not only a lost file. Each tablet is checked under a read snapshot (its files can not be
 * deleted meanwhile), one tablet at a time, on the given executor.
 *
 * <p>With {@code repair} the result is applied to the {@link BadTablets}: every damaged tablet is
 * marked bad and every tablet found whole is cleared. Without it, nothing changes.
 */
final class SegmentLossCheck {
    private SegmentLossCheck() {
    }

    static CompletionStage<SegmentLossReport> run(Reads reads, List<Long> ids, BadTablets marks, boolean repair,
                                                  Executor executor) {
        Map<Long, String> bad = new TreeMap<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (long id : ids) {
            chain = chain.thenCompose(v -> reads.snapshot(id)
                    .thenApplyAsync(snap -> {
                        try (snap) {
                            return check(snap, id);
                        }
                    }, executor)
                    // A tablet dropped since the listing has nothing left to check.
                    .exceptionally(err -> Optional.empty())
                    .thenAccept(problem -> problem.ifPresent(p -> bad.put(id, p))));
        }
        return chain.thenApply(v -> {
            if (repair) {
                for (long id : ids) {
                    if (bad.containsKey(id)) {
                        marks.mark(id, bad.get(id));
                    } else {
                        marks.clear(id);
                    }
                }
            }
            return new SegmentLossReport(ids.size(), bad);
        });
    }

    /** The first problem of the tablet's visible segment files, or empty when all are whole. */
    static Optional<String> check(TabletSnapshot snap, long tabletId) {
        DataDir dir = snap.dataDir();
        for (RowsetMeta rs : snap.meta().rowsets()) {
            for (int s = 0; s < rs.numSegments(); s++) {
                Path file = dir.segmentPath(tabletId, rs.rowsetId(), s);
                if (!Files.isRegularFile(file)) {
                    return Optional.of("segment " + file + " of rowset " + rs.rowsetId() + " " + rs.version()
                            + " is lost");
                }
                try (SegmentReader r = SegmentReader.open(file, snap.schema())) {
                    r.verifyAll();
                } catch (IOException | RuntimeException e) {
                    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                    return Optional.of(msg.contains(file.toString()) ? msg : "segment " + file + ": " + msg);
                }
            }
        }
        return Optional.empty();
    }
}
