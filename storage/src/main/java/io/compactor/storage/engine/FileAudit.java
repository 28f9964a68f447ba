package io.compactor.storage.engine;

import io.compactor.storage.DataDir;
import io.compactor.storage.meta.RocksDbMetaStore;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentWriter;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares the segment files of a stopped node's single data dir with what its meta store
 * references (visible and stale rowsets): consistency rule 1 of docs/DESIGN.md seen from the disk. Used by the crash
 * tests and the torture program after a kill -9 and restart.
 *
 * @param referenced {@code tabletId/file} of every segment the meta references
 * @param onDisk     {@code tabletId/file} of every segment file under {@code {root}/data}
 * @param tempFiles  temp files still on disk (none should survive start-up recovery)
 */
public record FileAudit(Set<String> referenced, Set<String> onDisk, List<Path> tempFiles) {

    /** Reads the meta store under {@code {root}/meta}; the node must not be running. */
    public static FileAudit of(Path root) throws IOException {
        Set<String> referenced = new TreeSet<>();
        try (RocksDbMetaStore meta = RocksDbMetaStore.open(root.resolve("meta"))) {
            for (TabletMeta t : meta.loadTablets()) {
                List<RowsetMeta> rowsets = new ArrayList<>(t.rowsets());
                t.staleRowsets().stream().map(StaleRowset::rowset).forEach(rowsets::add);
                for (String name : RowsetMeta.segmentFileNames(rowsets)) {
                    referenced.add(t.tabletId() + "/" + name);
                }
            }
        }
        Path data = root.resolve("data");
        try (Stream<Path> files = Files.walk(data)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            Set<String> onDisk = all.stream().filter(p -> p.toString().endsWith(DataDir.SEGMENT_SUFFIX))
                    .map(p -> data.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
            List<Path> temps = all.stream().filter(p -> p.toString().endsWith(SegmentWriter.TEMP_SUFFIX)).toList();
            return new FileAudit(referenced, onDisk, temps);
        }
    }

    /** Segment files no committed meta references. */
    public Set<String> orphans() {
        Set<String> s = new TreeSet<>(onDisk);
        s.removeAll(referenced);
        return s;
    }

    /** Segments the meta references whose file is gone. */
    public Set<String> missing() {
        Set<String> s = new TreeSet<>(referenced);
        s.removeAll(onDisk);
        return s;
    }
}
