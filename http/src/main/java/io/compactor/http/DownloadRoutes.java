package io.compactor.http;

import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeKeys;
import io.compactor.api.TabletStats;
import io.compactor.storage.DataDir;
import io.compactor.storage.peer.PeerRowsets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/_tablet/_download?token=&tablet_id=&file=}: a peer fetches one segment file of a
 * tablet, as Doris's single-replica compaction and clone download from {@code /api/_tablet/_download}.
 * It needs the node's {@code download_token}, names a file only by its segment file name, and can
 * read nothing outside that tablet's directory. {@code GET /api/_tablet/_download_files} answers
 * several files of a tablet in one body; {@code GET /api/_tablet/_rowsets} lists what there is to fetch.
 */
final class DownloadRoutes {
    /** {@code {rowset_id}_{segment_id}.dat}: no separator, no "..", nothing but a segment file. */
    private static final Pattern SEGMENT_FILE = Pattern.compile("02[0-9a-f]{46}_[0-9]{1,6}\\.dat");

    private final Compactor node;

    DownloadRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("_tablet").slash("_download"),
                        () -> get(() -> parameterMap(p -> peerRequest(p, this::download)))),
                path(segment("api").slash("_tablet").slash("_download_files"),
                        () -> get(() -> parameterMap(p -> peerRequest(p, this::downloadFiles)))),
                path(segment("api").slash("_tablet").slash("_rowsets"),
                        () -> get(() -> parameterMap(p -> peerRequest(p, this::rowsets)))));
    }

    /**
     * {@code GET /api/_tablet/_rowsets?tablet_id=&token=}: the tablet's visible rowsets with every
     * segment's file name, size, rows, key bounds and footer checksum ({@link PeerRowsets}), so a
     * peer can fetch and verify them. Same token rules as the download.
     */
    private Route rowsets(Map<String, String> p, long tabletId) {
        if (!node.tables().isLocal(tabletId)) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, Status.tabletNotFound(tabletId).msg()));
        }
        return completeWithFuture(node.reads().tabletMeta(tabletId)
                .thenApply(meta -> Json.ok(PeerRowsets.of(meta).toJson()))
                .exceptionally(err -> {
                    var s = io.compactor.storage.util.StatusException.statusOf(err);
                    return Json.fail(s.code().equals(io.compactor.storage.util.StatusCode.NOT_FOUND)
                            ? StatusCodes.NOT_FOUND : StatusCodes.SERVICE_UNAVAILABLE, s.msg());
                }));
    }

    /** What both peer endpoints check first: the token, then the tablet id. */
    private Route peerRequest(Map<String, String> p, java.util.function.BiFunction<Map<String, String>, Long, Route> then) {
        Route refused = checkToken(p);
        if (refused != null) {
            return refused;
        }
        Long tabletId = CompactionRoutes.parseId(p.get("tablet_id"));
        if (tabletId == null) {
            return complete(Json.fail(StatusCodes.BAD_REQUEST, "tablet_id must be a tablet id (got '"
                    + p.getOrDefault("tablet_id", "") + "')"));
        }
        return then.apply(p, tabletId);
    }

    /** 403 when downloads are off, 401 for a missing or wrong token, else null. */
    private Route checkToken(Map<String, String> p) {
        String configured = node.ops().config().get(NodeKeys.DOWNLOAD_TOKEN);
        if (configured.isEmpty()) {
            return complete(Json.fail(StatusCodes.FORBIDDEN,
                    "downloads are disabled: compactor.download_token is not set on this node"));
        }
        String token = p.get("token");
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                configured.getBytes(StandardCharsets.UTF_8))) {
            return complete(Json.fail(StatusCodes.UNAUTHORIZED, "missing or invalid download token"));
        }
        return null;
    }

    /**
     * {@code GET /api/_tablet/_download_files?token=&tablet_id=&files=F1,F2,...}: several segment
     * files of one tablet in one answer, one after the other in the order named, so a peer fetches
     * a whole rowset (or several) with one request instead of one per file. Header
     * {@value #FILE_SIZES_HEADER} lists each file's size in bytes (comma-separated, same order);
     * Content-Length is their sum. Same token and file-name rules as the single-file download; at
     * most {@value #MAX_FILES} files (the URI stays under Pekko's 2 KiB limit).
     */
    private Route downloadFiles(Map<String, String> p, long tabletId) {
        String list = p.getOrDefault("files", "");
        String[] files = list.isEmpty() ? new String[0] : list.split(",", -1);
        if (files.length == 0 || files.length > MAX_FILES) {
            return complete(Json.fail(StatusCodes.BAD_REQUEST, "files must name 1 to " + MAX_FILES
                    + " segment files of the tablet, comma-separated, got " + files.length));
        }
        for (String file : files) {
            if (!SEGMENT_FILE.matcher(file).matches()) {
                return complete(Json.fail(StatusCodes.BAD_REQUEST, "files must be segment file names of the tablet"
                        + " ({rowset_id}_{segment_id}.dat), got '" + (file.length() > 100 ? file.substring(0, 100)
                        + "..." : file) + "'"));
            }
        }
        var dir = node.reads().tabletDir(tabletId);
        if (dir.isEmpty()) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, Status.tabletNotFound(tabletId).msg()));
        }
        Path tabletDir = dir.get().toAbsolutePath().normalize();
        java.util.List<Path> paths = new java.util.ArrayList<>();
        StringBuilder sizes = new StringBuilder();
        long total = 0;
        for (String file : files) {
            Path target = tabletDir.resolve(file).normalize();
            long size;
            try {
                size = target.getParent().equals(tabletDir) ? Files.size(target) : -1;
            } catch (java.io.IOException e) {
                size = -1;
            }
            if (size < 0 || !Files.isRegularFile(target)) {
                return complete(Json.fail(StatusCodes.NOT_FOUND, "no file " + file + " in tablet " + tabletId));
            }
            paths.add(target);
            sizes.append(sizes.length() == 0 ? "" : ",").append(size);
            total += size;
        }
        // Segment files never change once written; one that is deleted mid-answer cuts the body
        // short, which the peer sees as a short read.
        org.apache.pekko.stream.javadsl.Source<org.apache.pekko.util.ByteString, ?> body =
                org.apache.pekko.stream.javadsl.Source.from(paths)
                        .flatMapConcat(org.apache.pekko.stream.javadsl.FileIO::fromPath);
        return complete(org.apache.pekko.http.javadsl.model.HttpResponse.create()
                .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create(FILE_SIZES_HEADER,
                        sizes.toString()))
                .withEntity(org.apache.pekko.http.javadsl.model.HttpEntities.create(
                        ContentTypes.APPLICATION_OCTET_STREAM, total, body)));
    }

    /** The header of {@code _download_files} that lists the files' sizes. */
    static final String FILE_SIZES_HEADER = io.compactor.storage.peer.PeerRowsetFetcher.FILE_SIZES_HEADER;
    /** Most files in one {@code _download_files} request. */
    static final int MAX_FILES = io.compactor.storage.peer.PeerRowsetFetcher.MAX_FILES_PER_REQUEST;

    private Route download(Map<String, String> p, long tabletId) {
        String file = p.getOrDefault("file", "");
        if (!SEGMENT_FILE.matcher(file).matches()) {
            return complete(Json.fail(StatusCodes.BAD_REQUEST,
                    "file must be a segment file name of the tablet ({rowset_id}_{segment_id}.dat), got '"
                            + (file.length() > 100 ? file.substring(0, 100) + "..." : file) + "'"));
        }
        var dir = node.reads().tabletDir(tabletId);
        if (dir.isEmpty()) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, Status.tabletNotFound(tabletId).msg()));
        }
        Path tabletDir = dir.get().toAbsolutePath().normalize();
        Path target = tabletDir.resolve(file).normalize();
        if (!target.getParent().equals(tabletDir) || !Files.isRegularFile(target)) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, "no file " + file + " in tablet " + tabletId));
        }
        return getFromFile(target.toFile(), ContentTypes.APPLICATION_OCTET_STREAM);
    }
}
