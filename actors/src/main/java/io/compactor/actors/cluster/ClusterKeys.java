package io.compactor.actors.cluster;

import io.compactor.storage.config.ConfigKey;
import java.util.List;

/** Cluster-mode configuration keys (defaults and documentation in actors' reference.conf). */
public final class ClusterKeys {
    private ClusterKeys() {
    }

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

    /** Raft addresses {@code host:port,...} of the meta log's voters; empty = the seeds at cluster_port + 100. */
    public static final ConfigKey<String> CLUSTER_META_VOTERS = ConfigKey.string("cluster_meta_voters", false,
            ClusterSettings::votersProblem);
    /** This node's Raft port when it is a voter; 0 = cluster_port + 100. */
    public static final ConfigKey<Long> CLUSTER_META_PORT = ConfigKey.int64("cluster_meta_port", false, 0, 65535);
    /** Entries between snapshots of the meta log's state (the log is purged up to a snapshot). */
    public static final ConfigKey<Long> CLUSTER_META_SNAPSHOT_ENTRIES = ConfigKey.int64("cluster_meta_snapshot_entries",
            false, 4, 100_000_000);
    /** Shortest Raft election timeout (ms). */
    public static final ConfigKey<Long> CLUSTER_META_ELECTION_MS = ConfigKey.int64("cluster_meta_election_ms", false,
            150, 60_000);
    /** A node unreachable longer than this gets its replicas re-created on other live nodes. */
    public static final ConfigKey<Long> CLUSTER_REPLACE_AFTER_SECONDS = ConfigKey.int64("cluster_replace_after_seconds",
            true, 1, 30L * 24 * 3600);

    public static final List<ConfigKey<?>> ALL = List.of(CLUSTER_ENABLED, CLUSTER_HOST, CLUSTER_PORT,
            CLUSTER_SEED_NODES, CLUSTER_DOWN_AFTER_SECONDS, CLUSTER_META_VOTERS, CLUSTER_META_PORT,
            CLUSTER_META_SNAPSHOT_ENTRIES, CLUSTER_META_ELECTION_MS, CLUSTER_REPLACE_AFTER_SECONDS);
}
