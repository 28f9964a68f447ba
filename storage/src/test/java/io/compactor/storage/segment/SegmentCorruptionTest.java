package io.compactor.storage.segment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentCorruptionTest {
    private static final Schema ALL = SegmentTestData.allTypes(KeysType.DUPLICATE_KEYS);

    @TempDir
    Path dir;

    private Path writeSegment(String name, int rows, int pageRows) throws IOException {
        Path file = dir.resolve(name);
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, rows, 1, 17);
        try (SegmentWriter w = SegmentWriter.create(file, ALL, pageRows)) {
            w.appendRange(batch, 0, batch.size());
            w.finish();
        }
        return file;
    }

    private static void flip(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 0x5A;
        Files.write(file, b);
    }

    private static void assertNamesFile(IOException e, Path file, String what) {
        assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(what), "message says '" + what + "': " + e.getMessage());
    }

    @Test
    void flippedPageByteIsDetectedOnReadAndVerify() throws IOException {
        Path file = writeSegment("p.dat", 2_000, 256);
        flip(file, SegmentFormat.HEADER_BYTES + 3);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> r.read(0, 10));
            assertNamesFile(e, file, "page 0 of column 'k' checksum mismatch");
            assertThrows(CorruptSegmentException.class, r::verifyAll);
            assertThrows(CorruptSegmentException.class, r::readAll);
        }
    }

    @Test
    void checksumOnlyVerificationFindsAFlippedByteInAnyPageAndPassesAnIntactFile() throws IOException {
        Path intact = writeSegment("ok.dat", 2_000, 256);
        try (SegmentReader r = SegmentReader.open(intact, ALL)) {
            r.verifyChecksums();
        }
        Path file = writeSegment("c.dat", 2_000, 256);
        long size = Files.size(file);
        flip(file, SegmentFormat.HEADER_BYTES + (size - SegmentFormat.HEADER_BYTES) / 3);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            CorruptSegmentException e = assertThrows(CorruptSegmentException.class, r::verifyChecksums);
            assertNamesFile(e, file, "checksum mismatch");
        }
    }

    @Test
    void flippedFooterByteIsDetectedOnOpen() throws IOException {
        Path file = writeSegment("f.dat", 500, 128);
        flip(file, Files.size(file) - SegmentFormat.TRAILER_BYTES - 7);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(file, ALL));
        assertNamesFile(e, file, "footer checksum mismatch");
    }

    @Test
    void truncatedFileIsDetected() throws IOException {
        Path file = writeSegment("t.dat", 500, 128);
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1);
        }
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(file, ALL));
        assertNamesFile(e, file, "truncated");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(10);
        }
        e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(file, ALL));
        assertNamesFile(e, file, "truncated");
        Files.write(file, new byte[0]);
        assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(file, ALL));
    }

    @Test
    void badLeadingMagicIsDetected() throws IOException {
        Path file = writeSegment("m.dat", 10, 128);
        flip(file, 0);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(file, ALL));
        assertNamesFile(e, file, "bad magic");
    }

    @Test
    void schemaMismatchNamesFileAndColumn() throws IOException {
        Path file = writeSegment("s.dat", 10, 128);
        List<Column> cols = new ArrayList<>(ALL.columns());
        cols.set(2, new Column("d", ColumnType.BIGINT, true, 0));
        Schema wrongType = new Schema(cols, 1, KeysType.DUPLICATE_KEYS);
        SegmentSchemaMismatchException e = assertThrows(SegmentSchemaMismatchException.class,
                () -> SegmentReader.open(file, wrongType));
        assertNamesFile(e, file, "column 2 ('d') is DOUBLE in the file but BIGINT");

        Schema fewer = new Schema(ALL.columns().subList(0, 3), 1, KeysType.DUPLICATE_KEYS);
        assertNamesFile(assertThrows(SegmentSchemaMismatchException.class, () -> SegmentReader.open(file, fewer)),
                file, "schema mismatch");

        cols = new ArrayList<>(ALL.columns());
        cols.set(1, new Column("i", ColumnType.INT, false, 0));
        Schema notNull = new Schema(cols, 1, KeysType.DUPLICATE_KEYS);
        assertNamesFile(assertThrows(SegmentSchemaMismatchException.class, () -> SegmentReader.open(file, notNull)),
                file, "NOT NULL");
    }

    /** Every byte of a segment is covered by a magic number or a checksum. */
    @Test
    void everySingleByteFlipIsDetected() throws IOException {
        Path clean = writeSegment("clean.dat", 40, 8);
        byte[] original = Files.readAllBytes(clean);
        Path file = dir.resolve("flipped.dat");
        for (int i = 0; i < original.length; i++) {
            byte[] b = original.clone();
            b[i] ^= 0x01;
            Files.write(file, b);
            try (SegmentReader r = SegmentReader.open(file, ALL)) {
                r.verifyAll();
                fail("flip of byte " + i + " of " + original.length + " went unnoticed");
            } catch (CorruptSegmentException expected) {
                assertTrue(expected.getMessage().contains(file.toString()));
            }
        }
    }
}
