package io.compactor.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Pekko settings cluster mode layers on top of the node config: the cluster actor provider,
 * Artery's canonical address from {@code cluster_host} / {@code cluster_port}, the seed nodes,
 * the split brain resolver as downing provider, several nodes per JVM (tests, demos), and the
 * {@link CborSerializable} binding to {@code jackson-cbor}. Nothing here applies when cluster mode
 * is off.
 */
public final class ClusterConfigBuilder {
    /**
     * How long the membership must be stable before the split brain resolver downs unreachable
     * nodes (Pekko's recommended default for small clusters). A graceful leave does not wait for it.
     */
    public static final String STABLE_AFTER = "20s";

    private ClusterConfigBuilder() {
    }

    /** The seed's address as Pekko writes it: {@code pekko://system@host:port}. */
    public static String address(String systemName, ClusterSettings.SeedNode seed) {
        return "pekko://" + systemName + "@" + seed.host() + ":" + seed.port();
    }

    /** The overlay for {@code settings} (cluster mode on); callers put it in front of the node config. */
    public static Config build(String systemName, ClusterSettings settings) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("cluster_enabled is false: no cluster settings to build");
        }
        List<String> seeds = settings.seeds().stream().map(s -> address(systemName, s)).toList();
        String hocon = String.join("\n",
                "pekko.actor.provider = cluster",
                "pekko.remote.artery.canonical.hostname = " + ConfigUtil.quoteString(canonicalHost(settings.host())),
                "pekko.remote.artery.canonical.port = " + settings.port(),
                "pekko.cluster.seed-nodes = " + seeds.stream().map(ConfigUtil::quoteString)
                        .collect(Collectors.joining(", ", "[", "]")),
                "pekko.cluster.downing-provider-class = "
                        + ConfigUtil.quoteString("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"),
                "pekko.cluster.split-brain-resolver.active-strategy = keep-majority",
                // A restarted first seed joins itself (a second cluster that never merges) when no
                // other seed answers within this; loaded machines answer in seconds, not the default 5 s.
                "pekko.cluster.seed-node-timeout = 30s",
                "pekko.cluster.split-brain-resolver.stable-after = " + settings.downAfterSeconds() + "s",
                // Replicas and load coordinators hold state in memory: they stop only with the node.
                "pekko.cluster.sharding.passivation.strategy = none",
                // Loads ship rows in chunks of ~512 KB (ClusterLoadWriter).
                "pekko.remote.artery.advanced.maximum-frame-size = 2MiB",
                "pekko.remote.artery.advanced.buffer-pool-size = 256",
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
                // Terminating the system (Compactor.close) runs coordinated shutdown: leave, then exit.
                "pekko.coordinated-shutdown.run-by-actor-system-terminate = on",
                "pekko.cluster.run-coordinated-shutdown-when-down = on",
                "pekko.actor.serialization-bindings { "
                        + ConfigUtil.quoteString(CborSerializable.class.getName()) + " = jackson-cbor, "
                        // the embedding API's value a node answers about itself (it must not know Pekko)
                        + ConfigUtil.quoteString(io.compactor.api.NodeInfo.class.getName()) + " = jackson-cbor }");
        return ConfigFactory.parseString(hocon);
    }

    private static String canonicalHost(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
