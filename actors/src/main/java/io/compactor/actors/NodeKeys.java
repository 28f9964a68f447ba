package io.compactor.actors;

import io.compactor.actors.cluster.ClusterSettings;
import io.compactor.storage.config.ConfigKey;
import java.util.List;

/** Node-level configuration keys (defaults and documentation in actors' reference.conf). */
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
    public static final ConfigKey<Long> MAX_CONCURRENT_LOADS = ConfigKey.int64("max_concurrent_loads", true, 1, 100000);
    public static final ConfigKey<Long> MAX_CONCURRENT_READS = ConfigKey.int64("max_concurrent_reads", false, 1, 100000);


    /** Cluster mode (Pekko Cluster over Artery); off = the single-node behaviour. */
    public static final ConfigKey<Boolean> CLUSTER_ENABLED = ConfigKey.bool("cluster_enabled", false);
    /** The address other nodes reach this node's remoting at (Artery canonical hostname). */
    public static final ConfigKey<String> CLUSTER_HOST = ConfigKey.string("cluster_host", false,
            ClusterSettings::validHost, "a host name or IP address");
    /** Remoting port (Artery canonical port); 0 picks a free one. */
    public static final ConfigKey<Long> CLUSTER_PORT = ConfigKey.int64("cluster_port", false, 0, 65535);
    /** {@code host:port,host:port} of the nodes to join; empty = this node is its own seed. */
    public static final ConfigKey<String> CLUSTER_SEED_NODES = ConfigKey.string("cluster_seed_nodes", false,
            ClusterSettings::seedNodesProblem);
    /**
     * How long the membership must be stable before the split brain resolver downs unreachable
     * nodes (Pekko's stable-after); only then do the replicas' coordinators move off a crashed node.
     */
    public static final ConfigKey<Long> CLUSTER_DOWN_AFTER_SECONDS = ConfigKey.int64("cluster_down_after_seconds",
            false, 1, 3600);

    public static final List<ConfigKey<?>> ALL = List.of(WEBSERVER_HOST, WEBSERVER_PORT, HTTP_AUTH_USER,
            HTTP_AUTH_PASSWORD, ENABLE_DEBUG_POINTS, STREAM_LOAD_MAX_BODY_BYTES, LOAD_TIMEOUT_SECONDS,
            MAX_CONCURRENT_LOADS, MAX_CONCURRENT_READS, DOWNLOAD_TOKEN, CLUSTER_ENABLED, CLUSTER_HOST, CLUSTER_PORT,
            CLUSTER_SEED_NODES, CLUSTER_DOWN_AFTER_SECONDS);
}
