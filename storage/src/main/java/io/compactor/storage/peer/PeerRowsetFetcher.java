package io.compactor.storage.peer;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.segment.SegmentWriter;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.FileSync;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Copies rowsets from a peer replica of the same tablet over HTTP (JDK client only): lists the
 * peer's rowsets ({@code GET /api/_tablet/_rowsets}) and downloads the segment files of a fetch
 * with one request ({@code GET /api/_tablet/_download_files}, up to {@link #MAX_FILES_PER_REQUEST}
 * files each) under new local rowset ids.
 *
 * <p>Files first, meta second (consistency rule 1 of docs/DESIGN.md): every file is downloaded to a temp name in
 * the tablet's directory, verified (size, footer checksum, row count, key bounds and every page's
 * CRC32C, read back with the segment reader), fsynced and only then renamed to its final name; the
 * directory is synced once after the renames, before the caller commits.
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
    /** The answer header of {@code _download_files} that lists each file's size, comma-separated. */
    public static final String FILE_SIZES_HEADER = "Compactor-File-Sizes";
    /** Most segment files asked for in one request (the URI stays under the server's 2 KiB limit). */
    public static final int MAX_FILES_PER_REQUEST = 24;

    private final HttpClient client;
    private final Duration timeout;
    private final DebugPoints debugPoints;
    private final PeerFetchTimings timings;

    /**
     * @param timeout     per request (the listing, and each file's answer headers)
     * @param debugPoints the node's fault-injection points
     */
    public PeerRowsetFetcher(Duration timeout, DebugPoints debugPoints) {
        this(timeout, debugPoints, new PeerFetchTimings());
    }

    /** @param timings where the phases of every fetch are added up */
    public PeerRowsetFetcher(Duration timeout, DebugPoints debugPoints, PeerFetchTimings timings) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.timeout = timeout;
        this.debugPoints = debugPoints;
        this.timings = timings;
    }

    /** Where this fetcher's time went. */
    public PeerFetchTimings timings() {
        return timings;
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
        PeerFetchTimings.Span span = timings.start(PeerFetchTimings.Phase.LIST);
        try {
            return list(peer, token, tabletId);
        } finally {
            span.end();
        }
    }

    private PeerRowsets list(String peer, String token, long tabletId) throws IOException {
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
        List<Planned> files = new ArrayList<>();
        try {
            for (RowsetMeta remote : peerRowsets) {
                RowsetId local = newIds.get();
                for (int s = 0; s < remote.numSegments(); s++) {
                    Path target = tabletDir.resolve(DataDir.segmentFileName(local, s));
                    Planned f = new Planned(DataDir.segmentFileName(remote.rowsetId(), s), remote.segments().get(s),
                            target.resolveSibling(target.getFileName() + SegmentWriter.TEMP_SUFFIX), target);
                    files.add(f);
                    written.add(f.temp);
                    written.add(f.target);
                }
                out.add(new RowsetMeta(local, tabletId, remote.version(), remote.segments(), remote.overlap(),
                        remote.creationTimeMs(), remote.compactionLevel(), remote.txnId(), remote.contentId()));
            }
            long bytes = 0;
            PeerFetchTimings.Span span = timings.start(PeerFetchTimings.Phase.TRANSFER);
            for (int i = 0; i < files.size(); i += MAX_FILES_PER_REQUEST) {
                bytes += downloadFiles(peer, token, tabletId, files.subList(i, Math.min(files.size(),
                        i + MAX_FILES_PER_REQUEST)));
            }
            span.end();
            span = timings.start(PeerFetchTimings.Phase.VERIFY);
            for (Planned f : files) {
                if (debugPoints.take(CORRUPT_POINT, id -> id == tabletId) != null) {
                    corruptOneByte(f.temp);
                }
                verify(f.temp, f.seg, schema, f.remoteName, peer);
            }
            span.end();
            // Durable before the caller commits the metas: every file's data, then the names with one
            // directory sync for all of them.
            span = timings.start(PeerFetchTimings.Phase.SYNC);
            for (Planned f : files) {
                try (FileChannel ch = FileChannel.open(f.temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            for (Planned f : files) {
                Files.move(f.temp, f.target, StandardCopyOption.ATOMIC_MOVE);
            }
            if (!files.isEmpty()) {
                FileSync.syncDirectory(tabletDir.toAbsolutePath());
            }
            span.end();
            timings.fetched();
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

    /** One segment file of a fetch: the peer's name and meta, where it is received and where it ends up. */
    private record Planned(String remoteName, SegmentMeta seg, Path temp, Path target) {
    }

    /**
     * Receives {@code files} with one {@code _download_files} request into their temp files, each
     * exactly the size the peer's meta gives; returns the bytes received.
     */
    private long downloadFiles(String peer, String token, long tabletId, List<Planned> files) throws IOException {
        StringBuilder names = new StringBuilder();
        for (Planned f : files) {
            names.append(names.length() == 0 ? "" : ",").append(f.remoteName);
        }
        String what = files.size() == 1 ? "file " + files.get(0).remoteName : files.size() + " files ("
                + files.get(0).remoteName + ", ...)";
        String url = "http://" + peer + "/api/_tablet/_download_files?tablet_id=" + tabletId + "&token=" + enc(token)
                + "&files=" + enc(names.toString());
        HttpResponse<InputStream> r = send(url, HttpResponse.BodyHandlers.ofInputStream(), peer, what);
        Planned current = null;
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                String body = new String(in.readNBytes(500), StandardCharsets.UTF_8);
                throw new IOException("peer " + peer + " answered HTTP " + r.statusCode() + " for " + what
                        + " of tablet " + tabletId + ": " + abbreviate(body));
            }
            String[] sizes = r.headers().firstValue(FILE_SIZES_HEADER).orElse("").split(",", -1);
            if (sizes.length != files.size()) {
                throw new IOException("peer " + peer + " answered " + what + " of tablet " + tabletId + " without "
                        + FILE_SIZES_HEADER + " for each file (got '" + String.join(",", sizes) + "')");
            }
            for (int i = 0; i < files.size(); i++) {
                Planned f = files.get(i);
                if (!sizes[i].equals(Long.toString(f.seg.bytes()))) {
                    throw new IOException("downloaded file " + f.remoteName + " from peer " + peer + " has "
                            + sizes[i] + " bytes, the peer's meta says " + f.seg.bytes());
                }
            }
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (Planned f : files) {
                current = f;
                try (OutputStream o = Files.newOutputStream(f.temp, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    long left = f.seg.bytes();
                    while (left > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            throw new IOException("the answer ended " + left + " bytes before the end of the file");
                        }
                        o.write(buf, 0, n);
                        left -= n;
                    }
                }
                total += f.seg.bytes();
            }
            current = null;
            if (in.read() >= 0) {
                throw new IOException("peer " + peer + " sent more than the " + total + " bytes of " + what
                        + " of tablet " + tabletId);
            }
            return total;
        } catch (IOException e) {
            if (e.getMessage() != null && (e.getMessage().startsWith("peer ")
                    || e.getMessage().startsWith("downloaded file "))) {
                throw e;
            }
            throw new IOException("download of file " + (current == null ? what : current.remoteName) + " of tablet "
                    + tabletId + " from peer " + peer + " failed: " + e.getMessage(), e);
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
        timings.request();
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
