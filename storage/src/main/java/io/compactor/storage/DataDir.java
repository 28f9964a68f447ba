package io.compactor.storage;

import io.compactor.storage.segment.SegmentWriter;
import io.compactor.storage.util.DebugPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One storage root (a Doris {@code storage_root_path} entry) and its file layout:
 *
 * <pre>
 * {root}/data/{tabletId}/{rowsetId}_{segmentId}.dat       committed or about-to-commit segments
 * {root}/data/{tabletId}/{rowsetId}_{segmentId}.dat.tmp   a segment being written
 * </pre>
 *
 * Segment writers write the temp name and rename it once the file is complete and fsynced (see
 * {@link SegmentWriter}), so a {@code .dat} file is always whole and a crash leaves only temp
 * files and unreferenced {@code .dat} files, which {@link #sweepOrphans} removes at start-up.
 * Thread-safe: it holds no mutable state.
 */
public final class DataDir {
    /** Extension of a segment file. */
    public static final String SEGMENT_SUFFIX = ".dat";

    private final Path root;
    private final Path data;
    private final DebugPoints debugPoints;

    /** Opens (creating if needed) the storage root and its {@code data} directory. */
    public DataDir(Path root) {
        this(root, DebugPoints.NONE);
    }

    /**
     * As {@link #DataDir(Path)}, with the node's fault-injection points: segment writers of this
     * dir fire {@code segment.write}, {@code segment.fsync}, {@code segment.rename}; file
     * deletes fire {@code file.delete}.
     */
    public DataDir(Path root, DebugPoints debugPoints) {
        this.debugPoints = debugPoints;
        this.root = root.toAbsolutePath().normalize();
        this.data = this.root.resolve("data");
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + data + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses Doris's {@code storage_root_path}: entries separated by ';', each a path optionally
     * followed by ',' and properties (e.g. {@code /disk1/doris,medium:ssd}) which are ignored. A
     * trailing ';' is allowed; an empty entry or the same path twice is an error.
     */
    public static List<DataDir> parseRoots(String storageRootPath) {
        return parseRoots(storageRootPath, DebugPoints.NONE);
    }

    /** {@link #parseRoots(String)} with the node's fault-injection points. */
    public static List<DataDir> parseRoots(String storageRootPath, DebugPoints debugPoints) {
        if (storageRootPath == null || storageRootPath.isBlank()) {
            throw new IllegalArgumentException("storage_root_path is empty: expected 'path1;path2'");
        }
        String[] entries = storageRootPath.split(";", -1);
        int count = entries.length;
        if (count > 1 && entries[count - 1].isBlank()) {
            count--;
        }
        List<Path> paths = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String entry = entries[i];
            int comma = entry.indexOf(',');
            String p = (comma >= 0 ? entry.substring(0, comma) : entry).trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("storage_root_path '" + storageRootPath + "': entry " + (i + 1)
                        + " has no path");
            }
            Path path = Path.of(p).toAbsolutePath().normalize();
            if (!seen.add(path)) {
                throw new IllegalArgumentException("storage_root_path '" + storageRootPath + "': path " + path
                        + " is listed more than once");
            }
            paths.add(path);
        }
        List<DataDir> dirs = new ArrayList<>(paths.size());
        for (Path p : paths) {
            dirs.add(new DataDir(p, debugPoints));
        }
        return List.copyOf(dirs);
    }

    /** The fault-injection points of this dir's writes and deletes. */
    public DebugPoints debugPoints() {
        return debugPoints;
    }

    public Path root() {
        return root;
    }

    /** The root as text, as it appears in tablet meta and HTTP answers. */
    public String path() {
        return root.toString();
    }

    /** {@code {root}/data/{tabletId}}, created if missing. */
    public Path tabletDir(long tabletId) throws IOException {
        Path dir = tabletPath(tabletId);
        Files.createDirectories(dir);
        return dir;
    }

    /** {@code {root}/data/{tabletId}} without creating it. */
    public Path tabletPath(long tabletId) {
        return data.resolve(Long.toString(tabletId));
    }

    /** The name of a segment file: {@code {rowsetId}_{segmentId}.dat}. */
    public static String segmentFileName(RowsetId rowsetId, int segmentId) {
        return rowsetId + "_" + segmentId + SEGMENT_SUFFIX;
    }

    /** The path of a segment file (nothing is created). */
    public Path segmentPath(long tabletId, RowsetId rowsetId, int segmentId) {
        return tabletPath(tabletId).resolve(segmentFileName(rowsetId, segmentId));
    }

    /**
     * Where a segment compaction writes the merge of a load's raw segments {@code begin..end}
     * (inclusive) before it takes its final id: {@code {rowsetId}_{begin}-{end}.dat}, as Doris's
     * {@code local_segment_path_segcompacted}. No meta ever references it, so a crash leaves an
     * orphan that the start-up sweep removes.
     */
    public Path segcompactedPath(long tabletId, RowsetId rowsetId, int begin, int end) {
        return tabletPath(tabletId).resolve(rowsetId + "_" + begin + "-" + end + SEGMENT_SUFFIX);
    }

    /**
     * Renames a finished segment file to a new name in the same directory, atomically, and makes
     * the rename durable. Renaming a file onto itself does nothing.
     */
    public static void renameSegment(Path from, Path to) throws IOException {
        if (from.equals(to)) {
            return;
        }
        Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        io.compactor.storage.util.FileSync.syncDirectory(to.toAbsolutePath().getParent());
    }

    /**
     * Deletes the segment files (and any leftover temp files) of a rowset; missing files are
     * fine. Returns the bytes freed.
     */
    public long deleteRowsetFiles(long tabletId, RowsetId rowsetId, int numSegments) throws IOException {
        long freed = 0;
        debugPoints.ioFailIfHit("file.delete", tabletId, "deleting the files of rowset " + rowsetId + " of tablet " + tabletId);
        for (int s = 0; s < numSegments; s++) {
            Path file = segmentPath(tabletId, rowsetId, s);
            freed += deleteCounting(file);
            freed += deleteCounting(file.resolveSibling(file.getFileName() + SegmentWriter.TEMP_SUFFIX));
        }
        return freed;
    }

    /**
     * Removes a dropped tablet's directory with everything left in it. Call it only once no
     * reader holds any of its files; returns the bytes freed.
     */
    public long deleteTabletDir(long tabletId) throws IOException {
        Path dir = tabletPath(tabletId);
        if (!Files.exists(dir)) {
            return 0;
        }
        debugPoints.ioFailIfHit("file.delete", tabletId, "deleting the directory of dropped tablet " + tabletId);
        SweepReport.Builder report = new SweepReport.Builder();
        removeTree(dir, report);
        return report.build().bytesRemoved();
    }

    private static long deleteCounting(Path file) throws IOException {
        try {
            long size = Files.size(file);
            Files.delete(file);
            return size;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /**
     * Removes what no committed meta references. Run it at start-up, before any load or
     * compaction writes: it deletes every temp file and every {@code .dat} file not listed.
     *
     * @param referencedFiles for every tablet that lives in this data dir, the segment file names
     *                        its meta references (visible and stale rowsets; an empty set for a
     *                        tablet without files). A numeric directory under {@code data} whose
     *                        tablet is not a key is removed with everything in it.
     * @return what was removed
     */
    public SweepReport sweepOrphans(Map<Long, Set<String>> referencedFiles) throws IOException {
        SweepReport.Builder report = new SweepReport.Builder();
        try (DirectoryStream<Path> tablets = Files.newDirectoryStream(data)) {
            for (Path dir : tablets) {
                Long tabletId = parseTabletId(dir);
                if (tabletId == null || !Files.isDirectory(dir)) {
                    continue;
                }
                Set<String> referenced = referencedFiles.get(tabletId);
                if (referenced == null) {
                    removeTree(dir, report);
                    report.tabletDirRemoved();
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) {
                        String name = f.getFileName().toString();
                        boolean orphan = name.endsWith(SegmentWriter.TEMP_SUFFIX)
                                || (name.endsWith(SEGMENT_SUFFIX) && !referenced.contains(name));
                        if (orphan && Files.isRegularFile(f)) {
                            report.fileRemoved(f, deleteCounting(f));
                        }
                    }
                }
            }
        }
        return report.build();
    }

    private static Long parseTabletId(Path dir) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || name.length() > 19) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return null;
            }
        }
        return Long.parseLong(name);
    }

    private static void removeTree(Path dir, SweepReport.Builder report) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
        }
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                Files.deleteIfExists(p);
            } else {
                report.fileRemoved(p, deleteCounting(p));
            }
        }
    }

    /** Total size of the file system holding the root. */
    public long capacityBytes() {
        try {
            return Files.getFileStore(root).getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read capacity of data dir " + root + ": " + e.getMessage(), e);
        }
    }

    /** Bytes available to this process on the file system holding the root. */
    public long availableBytes() {
        try {
            return Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read free space of data dir " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataDir d && d.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "DataDir[" + root + "]";
    }
}
