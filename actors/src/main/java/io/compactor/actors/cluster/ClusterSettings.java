package io.compactor.actors.cluster;

import io.compactor.api.NodeKeys;
import io.compactor.storage.config.CompactorConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's cluster settings, read from the {@code cluster_*} keys: whether cluster mode is on,
 * the remoting (Artery) host and port this node binds, and the seed nodes to join. An empty seed
 * list with cluster mode on means this node is its own seed (it forms a cluster alone, others
 * join it).
 */
public record ClusterSettings(boolean enabled, String host, int port, List<SeedNode> seeds, int downAfterSeconds,
                              List<SeedNode> metaVoters, int metaPort, long metaSnapshotEntries, int metaElectionMs) {

    /** Offset of the default Raft port from the cluster port. */
    public static final int META_PORT_OFFSET = 100;

    /** Settings with Pekko's recommended 20 s before unreachable nodes are downed. */
    public ClusterSettings(boolean enabled, String host, int port, List<SeedNode> seeds) {
        this(enabled, host, port, seeds, 20, List.of(), 0, 10_000, 1000);
    }

    /**
     * The meta log's voters (Raft addresses): the configured ones, else the seeds at their cluster
     * port + 100, else this node alone ({@code boundPort}: the cluster port as bound).
     */
    public List<SeedNode> voters(int boundPort) {
        if (!metaVoters.isEmpty()) {
            return metaVoters;
        }
        if (seeds.isEmpty()) {
            return List.of(new SeedNode(host, selfMetaPort(boundPort)));
        }
        return seeds.stream().map(s -> new SeedNode(s.host(), s.port() + META_PORT_OFFSET)).toList();
    }

    /** This node's Raft port ({@code boundPort}: the cluster port as bound). */
    public int selfMetaPort(int boundPort) {
        return metaPort != 0 ? metaPort : boundPort + META_PORT_OFFSET;
    }

    /** What is wrong with a {@code cluster_meta_voters} value, or {@code null}. */
    public static String votersProblem(String text) {
        String p = seedNodesProblem(text);
        if (p != null) {
            return p;
        }
        int n = parseSeeds(text).size();
        return n > 5 ? "at most 5 voters (got " + n + ")" : null;
    }

    /** One {@code host:port} of {@code cluster_seed_nodes}. */
    public record SeedNode(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public ClusterSettings {
        seeds = List.copyOf(seeds);
    }

    public static ClusterSettings from(CompactorConfig config) {
        return new ClusterSettings(config.getBool(ClusterKeys.CLUSTER_ENABLED), config.get(ClusterKeys.CLUSTER_HOST),
                config.getInt(ClusterKeys.CLUSTER_PORT), parseSeeds(config.get(ClusterKeys.CLUSTER_SEED_NODES)),
                config.getInt(ClusterKeys.CLUSTER_DOWN_AFTER_SECONDS),
                parseSeeds(config.get(ClusterKeys.CLUSTER_META_VOTERS)), config.getInt(ClusterKeys.CLUSTER_META_PORT),
                config.get(ClusterKeys.CLUSTER_META_SNAPSHOT_ENTRIES),
                config.getInt(ClusterKeys.CLUSTER_META_ELECTION_MS));
    }

    /** Whether this node forms a cluster by joining itself (no seed nodes configured). */
    public boolean selfSeed() {
        return seeds.isEmpty();
    }

    /**
     * Parses {@code "host:port,host:port"} (blank = no seeds).
     *
     * @throws IllegalArgumentException describing the first malformed entry
     */
    public static List<SeedNode> parseSeeds(String text) {
        List<SeedNode> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("empty entry in the list (expected host:port,host:port)");
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("entry '" + entry + "' is not host:port");
            }
            String host = entry.substring(0, colon);
            String portText = entry.substring(colon + 1);
            if (!validHost(host)) {
                throw new IllegalArgumentException("entry '" + entry + "' has an invalid host '" + host + "'");
            }
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("entry '" + entry + "' has a port that is not a number");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("entry '" + entry + "' has port " + port
                        + " (must be between 1 and 65535)");
            }
            out.add(new SeedNode(host, port));
        }
        return out;
    }

    /** What is wrong with a {@code cluster_seed_nodes} value, or {@code null} if it parses. */
    public static String seedNodesProblem(String text) {
        try {
            parseSeeds(text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** A host name, IPv4 address or bracketed IPv6 address: no blanks, no '/', '@' or stray ':'. */
    public static boolean validHost(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            return host.substring(1, host.length() - 1).chars().allMatch(c -> c == ':' || c == '.'
                    || Character.digit(c, 16) >= 0);
        }
        return host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_');
    }
}
