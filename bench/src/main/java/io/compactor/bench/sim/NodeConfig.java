package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The node's configuration as {@code GET /api/show_config} shows it (Doris's
 * {@code [[name, type, value, mutable], ...]}), for the concurrency limits and version limits.
 */
public final class NodeConfig {
    private final NodeClient client;
    private volatile Map<String, String> values = Map.of();

    NodeConfig(NodeClient client) {
        this.client = client;
    }

    void refresh() {
        JsonNode rows = client.getJson("/api/show_config");
        values = parse(rows);
    }

    static Map<String, String> parse(JsonNode rows) {
        Map<String, String> m = new HashMap<>();
        for (JsonNode row : rows) {
            if (row.isArray() && row.size() >= 3) {
                m.put(row.get(0).asText(), row.get(2).asText());
            }
        }
        return m;
    }

    public String get(String key) {
        return values.get(key);
    }

    public long getLong(String key, long dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private int dataDirs() {
        String roots = values.getOrDefault("storage_root_path", "");
        int n = 0;
        for (String p : roots.split(";")) {
            if (!p.isBlank()) {
                n++;
            }
        }
        return Math.max(1, n);
    }

    /**
     * {@code max_cumu_compaction_threads}; -1 (Doris: max(data dirs, cores/6)) is shown as the data
     * dir count, since the node's core count is not visible over HTTP.
     */
    public long allowedCumulative() {
        long v = getLong("max_cumu_compaction_threads", -1);
        return v == -1 ? dataDirs() : Math.max(1, v);
    }

    /** {@code max_base_compaction_threads}, shared by base and full compactions; -1 means one per data dir. */
    public long allowedBaseAndFull() {
        long v = getLong("max_base_compaction_threads", -1);
        return v == -1 ? dataDirs() : Math.max(1, v);
    }

    /** The version limit that applies to the tables: time_series tables use the larger of the two. */
    public long versionLimit(boolean timeSeries) {
        long normal = getLong("max_tablet_version_num", 2000);
        return timeSeries ? Math.max(normal, getLong("time_series_max_tablet_version_num", 20000)) : normal;
    }
}
