package io.compactor.api;

import io.compactor.storage.config.ConfigKey;
import java.util.List;

/**
 * Node-level configuration keys (defaults and documentation in actors' reference.conf); the cluster
 * mode keys are {@code ClusterKeys}. {@code Compactor.ops().configKeys()} lists every module's.
 */
public final class NodeKeys {
    private NodeKeys() {
    }

    public static final ConfigKey<String> WEBSERVER_HOST =
            ConfigKey.string("webserver_host", false, s -> !s.isBlank(), "a host name or address");
    public static final ConfigKey<Long> WEBSERVER_PORT = ConfigKey.int64("webserver_port", false, 0, 65535);
    public static final ConfigKey<String> HTTP_AUTH_USER =
            ConfigKey.string("http_auth_user", false, s -> !s.isBlank(), "a non-empty user name");
    public static final ConfigKey<String> HTTP_AUTH_PASSWORD =
            ConfigKey.string("http_auth_password", false, s -> true, "any string");
    public static final ConfigKey<Boolean> ENABLE_DEBUG_POINTS = ConfigKey.bool("enable_debug_points", true);
    public static final ConfigKey<String> DOWNLOAD_TOKEN = ConfigKey.string("download_token", false,
            s -> s.isEmpty() || s.length() >= 16, "empty (downloads disabled) or at least 16 characters");
    public static final ConfigKey<Long> STREAM_LOAD_MAX_BODY_BYTES =
            ConfigKey.int64("streaming_load_max_mb", true, 1, 1 << 20);
    public static final ConfigKey<Long> LOAD_TIMEOUT_SECONDS = ConfigKey.int64("load_timeout_seconds", true, 1, 86400);
    public static final ConfigKey<Long> PRECOMMIT_TIMEOUT_SECONDS =
            ConfigKey.int64("stream_load_default_precommit_timeout_second", true, 1, 30L * 86400);
    public static final ConfigKey<Long> MAX_CONCURRENT_LOADS = ConfigKey.int64("max_concurrent_loads", true, 1, 100000);
    public static final ConfigKey<Long> MAX_CONCURRENT_READS = ConfigKey.int64("max_concurrent_reads", false, 1, 100000);
    /**
     * Group commit: the most bytes of async-mode WAL files on this node, as Doris's key: a percentage
     * of the first data dir's capacity ("10%") or a byte count.
     */
    public static final ConfigKey<String> GROUP_COMMIT_WAL_MAX_DISK_LIMIT = ConfigKey.string(
            "group_commit_wal_max_disk_limit", true, NodeKeys::validWalLimit,
            "a percentage of the data dir's capacity such as 10% (1 to 100) or a byte count above 0");

    public static final List<ConfigKey<?>> ALL = List.of(WEBSERVER_HOST, WEBSERVER_PORT, HTTP_AUTH_USER,
            HTTP_AUTH_PASSWORD, ENABLE_DEBUG_POINTS, STREAM_LOAD_MAX_BODY_BYTES, LOAD_TIMEOUT_SECONDS,
            PRECOMMIT_TIMEOUT_SECONDS,
            MAX_CONCURRENT_LOADS, MAX_CONCURRENT_READS, DOWNLOAD_TOKEN, GROUP_COMMIT_WAL_MAX_DISK_LIMIT);

    private static boolean validWalLimit(String v) {
        try {
            walLimitBytes(v, 100);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The WAL limit in bytes for a data dir of {@code capacityBytes}.
     *
     * @throws IllegalArgumentException when the value is neither form
     */
    public static long walLimitBytes(String value, long capacityBytes) {
        String v = value.trim();
        if (v.endsWith("%")) {
            double pct = Double.parseDouble(v.substring(0, v.length() - 1).trim());
            if (!(pct > 0) || pct > 100) {
                throw new IllegalArgumentException("group_commit_wal_max_disk_limit: percentage out of range: " + v);
            }
            return Math.max(1, (long) (capacityBytes * pct / 100));
        }
        long n = Long.parseLong(v);
        if (n <= 0) {
            throw new IllegalArgumentException("group_commit_wal_max_disk_limit must be above 0: " + v);
        }
        return n;
    }
}
