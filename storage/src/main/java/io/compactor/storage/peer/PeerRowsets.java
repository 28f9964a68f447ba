package io.compactor.storage.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a node tells a peer about one tablet's visible rowsets ({@code GET /api/_tablet/_rowsets}):
 * enough to fetch every segment file and verify it (file name, size, rows, key bounds and footer
 * CRC32C per segment) and to install the rowsets with the same versions, rows and overlap flag.
 * Both the answering route and the fetching side use this codec, so the two always agree.
 *
 * <pre>{@code
 * {"status":"Success","tablet_id":N,"cumulative_point":cp,"max_version":v,
 *  "rowsets":[{"rowset_id":"02..","start_version":a,"end_version":b,"overlap":"NONOVERLAPPING",
 *              "num_segments":n,"num_rows":r,"total_bytes":b,"creation_time":ms,"compaction_level":l,
 *              "txn_id":t,"content_id":c,"segments":[{"segment_id":0,"file":"02.._0.dat","rows":r,"bytes":b,
 *              "footer_crc":c,"min_key":"hex","max_key":"hex"}]}]}
 * }</pre>
 *
 * @param tabletId        the tablet
 * @param cumulativePoint the peer's cumulative point
 * @param rowsets         the peer's visible rowsets in version order (the peer's rowset ids)
 */
public record PeerRowsets(long tabletId, long cumulativePoint, List<RowsetMeta> rowsets) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    public PeerRowsets {
        rowsets = List.copyOf(rowsets);
    }

    /** The rowsets of a tablet's current meta. */
    public static PeerRowsets of(TabletMeta meta) {
        return new PeerRowsets(meta.tabletId(), meta.cumulativePoint(), meta.rowsets());
    }

    /** The peer's versions in order. */
    public List<Version> versions() {
        return rowsets.stream().map(RowsetMeta::version).toList();
    }

    /** The rowset with exactly this version, or null. */
    public RowsetMeta rowset(Version v) {
        for (RowsetMeta r : rowsets) {
            if (r.version().equals(v)) {
                return r;
            }
        }
        return null;
    }

    public long maxVersion() {
        return rowsets.isEmpty() ? -1 : rowsets.get(rowsets.size() - 1).endVersion();
    }

    /** The JSON answer. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", "Success");
        root.put("tablet_id", tabletId);
        root.put("cumulative_point", cumulativePoint);
        root.put("max_version", maxVersion());
        ArrayNode list = root.putArray("rowsets");
        for (RowsetMeta r : rowsets) {
            ObjectNode o = list.addObject();
            o.put("rowset_id", r.rowsetId().toString());
            o.put("start_version", r.startVersion());
            o.put("end_version", r.endVersion());
            o.put("overlap", r.overlap().name());
            o.put("num_segments", r.numSegments());
            o.put("num_rows", r.numRows());
            o.put("total_bytes", r.totalBytes());
            o.put("creation_time", r.creationTimeMs());
            o.put("compaction_level", r.compactionLevel());
            o.put("txn_id", r.txnId());
            o.put("content_id", r.contentId());
            ArrayNode segs = o.putArray("segments");
            for (int s = 0; s < r.numSegments(); s++) {
                SegmentMeta m = r.segments().get(s);
                ObjectNode so = segs.addObject();
                so.put("segment_id", s);
                so.put("file", DataDir.segmentFileName(r.rowsetId(), s));
                so.put("rows", m.rows());
                so.put("bytes", m.bytes());
                so.put("footer_crc", m.crc());
                so.put("min_key", HEX.formatHex(m.minKey()));
                so.put("max_key", HEX.formatHex(m.maxKey()));
            }
        }
        return root;
    }

    /**
     * Parses a peer's answer.
     *
     * @throws IOException naming {@code source} and what is wrong when the answer is not one
     */
    public static PeerRowsets parse(byte[] body, String source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("rowsets answer of " + source + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !"Success".equals(root.path("status").asText())) {
            throw new IOException("rowsets answer of " + source + " is not a success: "
                    + (root == null ? "empty" : abbreviate(root.toString())));
        }
        try {
            long tabletId = required(root, "tablet_id").asLong();
            List<RowsetMeta> rowsets = new ArrayList<>();
            for (JsonNode o : required(root, "rowsets")) {
                List<SegmentMeta> segs = new ArrayList<>();
                for (JsonNode so : required(o, "segments")) {
                    segs.add(new SegmentMeta(required(so, "rows").asLong(), required(so, "bytes").asLong(),
                            HEX.parseHex(required(so, "min_key").asText()),
                            HEX.parseHex(required(so, "max_key").asText()), required(so, "footer_crc").asInt()));
                }
                rowsets.add(new RowsetMeta(RowsetId.parse(required(o, "rowset_id").asText()), tabletId,
                        new Version(required(o, "start_version").asLong(), required(o, "end_version").asLong()),
                        segs, SegmentsOverlap.valueOf(required(o, "overlap").asText()),
                        o.path("creation_time").asLong(), o.path("compaction_level").asInt(),
                        o.path("txn_id").asLong(), o.path("content_id").asLong()));
            }
            return new PeerRowsets(tabletId, root.path("cumulative_point").asLong(-1), rowsets);
        } catch (IllegalArgumentException e) {
            throw new IOException("rowsets answer of " + source + " is malformed: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
