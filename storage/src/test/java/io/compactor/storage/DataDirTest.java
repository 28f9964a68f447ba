package io.compactor.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
    @TempDir
    Path tmp;

    @Test
    void parsesDorisRootSyntaxIgnoringProperties() {
        String spec = tmp.resolve("a") + ";" + tmp.resolve("b") + ",medium:ssd; " + tmp.resolve("c") + ",50;";
        List<DataDir> dirs = DataDir.parseRoots(spec);
        assertEquals(3, dirs.size());
        assertEquals(tmp.resolve("b").toAbsolutePath().toString(), dirs.get(1).path());
        assertTrue(Files.isDirectory(tmp.resolve("c").resolve("data")));
    }

    @Test
    void rejectsEmptyAndDuplicateRoots() {
        assertThrows(IllegalArgumentException.class, () -> DataDir.parseRoots(" "));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> DataDir.parseRoots(tmp.resolve("a") + ";;" + tmp.resolve("b")));
        assertTrue(empty.getMessage().contains("entry 2 has no path"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataDir.parseRoots(",medium:ssd"));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> DataDir.parseRoots(tmp.resolve("a") + ";" + tmp.resolve("x/../a") + ",medium:hdd"));
        assertTrue(dup.getMessage().contains("more than once"), dup.getMessage());
    }

    @Test
    void layoutFollowsDorisPaths() throws IOException {
        DataDir dir = new DataDir(tmp);
        RowsetId id = new RowsetId(0x1f);
        Path seg = dir.segmentPath(12, id, 3);
        assertEquals(tmp.resolve("data/12/" + id + "_3.dat").toAbsolutePath(), seg);
        assertFalse(Files.exists(dir.tabletPath(12)));
        assertTrue(Files.isDirectory(dir.tabletDir(12)));
        assertTrue(dir.capacityBytes() > 0);
        assertTrue(dir.availableBytes() >= 0);
    }

    @Test
    void deleteRowsetFilesRemovesSegmentsAndTemps() throws IOException {
        DataDir dir = new DataDir(tmp);
        RowsetId id = new RowsetId(5);
        Files.write(dir.tabletDir(1).resolve(DataDir.segmentFileName(id, 0)), new byte[10]);
        Files.write(dir.tabletDir(1).resolve(DataDir.segmentFileName(id, 1) + ".tmp"), new byte[3]);
        Path other = dir.tabletDir(1).resolve(DataDir.segmentFileName(new RowsetId(6), 0));
        Files.write(other, new byte[1]);
        assertEquals(13, dir.deleteRowsetFiles(1, id, 2));
        assertEquals(0, dir.deleteRowsetFiles(1, id, 2), "idempotent");
        assertTrue(Files.exists(other));
    }

    @Test
    void sweepRemovesOnlyUnreferencedFiles() throws IOException {
        DataDir dir = new DataDir(tmp);
        String kept = DataDir.segmentFileName(new RowsetId(1), 0);
        String orphan = DataDir.segmentFileName(new RowsetId(2), 0);
        String temp = DataDir.segmentFileName(new RowsetId(1), 1) + ".tmp";
        Path t1 = dir.tabletDir(100);
        Files.write(t1.resolve(kept), new byte[100]);
        Files.write(t1.resolve(orphan), new byte[7]);
        Files.write(t1.resolve(temp), new byte[5]);
        Files.write(t1.resolve("notes.txt"), new byte[1]);
        Path t2 = dir.tabletDir(200);
        Files.write(t2.resolve(kept), new byte[11]);
        Path dropped = dir.tabletDir(300);
        Files.write(dropped.resolve(orphan), new byte[13]);
        Path foreign = tmp.resolve("data/trash");
        Files.createDirectories(foreign);

        SweepReport report = dir.sweepOrphans(Map.of(100L, Set.of(kept), 200L, Set.of(kept)));

        assertTrue(Files.exists(t1.resolve(kept)));
        assertTrue(Files.exists(t1.resolve("notes.txt")), "non-segment files are left alone");
        assertFalse(Files.exists(t1.resolve(orphan)));
        assertFalse(Files.exists(t1.resolve(temp)));
        assertTrue(Files.exists(t2.resolve(kept)));
        assertFalse(Files.exists(dropped), "directory of a dropped tablet removed");
        assertTrue(Files.isDirectory(foreign), "non-tablet directories are left alone");
        assertEquals(3, report.filesRemoved());
        assertEquals(7 + 5 + 13, report.bytesRemoved());
        assertEquals(1, report.tabletDirsRemoved());
    }
}
