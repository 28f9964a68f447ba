package io.compactor.storage.peer;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.segment.SegmentWriter;
import io.compactor.storage.util.DebugPoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Copies rowsets from a peer replica of the same tablet over HTTP (JDK client only): lists the
 * peer's rowsets ({@code GET /api/_tablet/_rowsets}) and downloads segment files
 * ({@code GET /api/_tablet/_download}) under new local rowset ids.
 *
 * <p>Files first, meta second (consistency rule 1 of docs/DESIGN.md): every file is downloaded to a temp name in
 * the tablet's directory, verified (size, footer checksum, row count, key bounds and every page's
 * CRC32C, read back with the segment reader), fsynced and only then renamed to its final name.
 * The caller commits the returned metas; until then the files are orphans that the start-up sweep
 * removes. A failure of any file deletes every file of the fetch and throws an IOException naming
 * the file and the peer, so nothing is left behind. Debug point {@code peer.download.corrupt}
 * flips one byte of a downloaded file (to prove the verification).
 *
 * <p>Thread-safe; blocking: run it on a compaction or IO thread, never an actor.
 */
public final class PeerRowsetFetcher {
    /** The debug point that corrupts one downloaded byte. */
    public static final String CORRUPT_POINT = "peer.download.corrupt";

    private final HttpClient client;
    private final Duration timeout;
    private final DebugPoints debugPoints;

    /**
     * @param timeout     per request (the listing, and each file's answer headers)
     * @param debugPoints the node's fault-injection points
     */
    public PeerRowsetFetcher(Duration timeout, DebugPoints debugPoints) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.timeout = timeout;
        this.debugPoints = debugPoints;
    }

    /**
     * What this fetch produced.
     *
     * @param rowsets local metas (new ids, the peer's versions, rows, overlap, level, creation time)
     * @param bytes   bytes downloaded
     */
    public record Fetched(List<RowsetMeta> rowsets, long bytes) {
        public Fetched {
            rowsets = List.copyOf(rowsets);
        }
    }

    /** The peer's visible rowsets of a tablet. */
    public PeerRowsets listRowsets(String peer, String token, long tabletId) throws IOException {
        String url = "http://" + peer + "/api/_tablet/_rowsets?tablet_id=" + tabletId + "&token=" + enc(token);
        HttpResponse<byte[]> r = send(url, HttpResponse.BodyHandlers.ofByteArray(), peer, "the rowsets of tablet "
                + tabletId);
        if (r.statusCode() != 200) {
            throw new IOException("peer " + peer + " answered HTTP " + r.statusCode() + " for the rowsets of tablet "
                    + tabletId + ": " + abbreviate(new String(r.body(), StandardCharsets.UTF_8)));
        }
        PeerRowsets rs = PeerRowsets.parse(r.body(), "peer " + peer);
        if (rs.tabletId() != tabletId) {
            throw new IOException("peer " + peer + " answered the rowsets of tablet " + rs.tabletId() + " when asked for "
                    + tabletId);
        }
        return rs;
    }

    /**
     * Downloads and verifies every segment of {@code peerRowsets} into the tablet's directory of
     * {@code dir} under ids from {@code newIds}.
     *
     * @throws IOException naming the file and the peer; no file of this fetch is left
     */
    public Fetched fetch(String peer, String token, long tabletId, List<RowsetMeta> peerRowsets, DataDir dir,
                         Schema schema, Supplier<RowsetId> newIds) throws IOException {
        Path tabletDir = dir.tabletDir(tabletId);
        List<Path> written = new ArrayList<>();
        List<RowsetMeta> out = new ArrayList<>();
        long bytes = 0;
        try {
            for (RowsetMeta remote : peerRowsets) {
                RowsetId local = newIds.get();
                for (int s = 0; s < remote.numSegments(); s++) {
                    SegmentMeta seg = remote.segments().get(s);
                    String remoteName = DataDir.segmentFileName(remote.rowsetId(), s);
                    Path target = tabletDir.resolve(DataDir.segmentFileName(local, s));
                    Path temp = target.resolveSibling(target.getFileName() + SegmentWriter.TEMP_SUFFIX);
                    written.add(temp);
                    written.add(target);
                    bytes += download(peer, token, tabletId, remoteName, temp);
                    if (debugPoints.take(CORRUPT_POINT, id -> id == tabletId) != null) {
                        corruptOneByte(temp);
                    }
                    verify(temp, seg, schema, remoteName, peer);
                    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                    DataDir.renameSegment(temp, target);
                }
                out.add(new RowsetMeta(local, tabletId, remote.version(), remote.segments(), remote.overlap(),
                        remote.creationTimeMs(), remote.compactionLevel(), remote.txnId(), remote.contentId()));
            }
            return new Fetched(out, bytes);
        } catch (IOException | RuntimeException e) {
            for (Path p : written) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the start-up sweep (no meta references it)
                }
            }
            throw e;
        }
    }

    private long download(String peer, String token, long tabletId, String file, Path temp) throws IOException {
        String url = "http://" + peer + "/api/_tablet/_download?tablet_id=" + tabletId + "&token=" + enc(token)
                + "&file=" + enc(file);
        HttpResponse<InputStream> r = send(url, HttpResponse.BodyHandlers.ofInputStream(), peer, "file " + file);
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                String body = new String(in.readNBytes(500), StandardCharsets.UTF_8);
                throw new IOException("peer " + peer + " answered HTTP " + r.statusCode() + " for file " + file
                        + " of tablet " + tabletId + ": " + abbreviate(body));
            }
            try (OutputStream o = Files.newOutputStream(temp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                return in.transferTo(o);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("peer ")) {
                throw e;
            }
            throw new IOException("download of file " + file + " of tablet " + tabletId + " from peer " + peer
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** Size, footer, rows, key bounds and every page's checksum against the peer's meta. */
    private static void verify(Path temp, SegmentMeta expected, Schema schema, String file, String peer)
            throws IOException {
        String what = "downloaded file " + file + " from peer " + peer;
        long size = Files.size(temp);
        if (size != expected.bytes()) {
            throw new IOException(what + " has " + size + " bytes, the peer's meta says " + expected.bytes());
        }
        try (SegmentReader reader = SegmentReader.open(temp, schema)) {
            if (reader.rowCount() != expected.rows()) {
                throw new IOException(what + " has " + reader.rowCount() + " rows, the peer's meta says "
                        + expected.rows());
            }
            if (expected.rows() > 0 && (!Arrays.equals(reader.minKey(), expected.minKey())
                    || !Arrays.equals(reader.maxKey(), expected.maxKey()))) {
                throw new IOException(what + " has other key bounds than the peer's meta");
            }
            reader.verifyChecksums();
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(what)) {
                throw e;
            }
            throw new IOException(what + " is corrupt: " + e.getMessage(), e);
        }
    }

    private static void corruptOneByte(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() / 2;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, at);
            b.flip();
            byte v = b.get(0);
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{(byte) (v ^ 0x5A)}), at);
        }
    }

    private <T> HttpResponse<T> send(String url, HttpResponse.BodyHandler<T> handler, String peer, String what)
            throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        try {
            return client.send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + what + " from peer " + peer, e);
        } catch (IOException e) {
            throw new IOException("peer " + peer + " unreachable while fetching " + what + ": " + e, e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
