package io.compactor.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.Compactor;
import io.compactor.storage.config.CompactorConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster keys' defaults and validation, and the Pekko settings cluster mode adds. */
class ClusterSettingsTest {
    private static CompactorConfig load(String overrides) {
        Config c = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
        return CompactorConfig.load(c, Compactor.configKeys());
    }

    @Test
    void clusterModeIsOffByDefault() {
        ClusterSettings s = ClusterSettings.from(load(""));
        assertFalse(s.enabled());
        assertEquals("127.0.0.1", s.host());
        assertEquals(9060, s.port());
        assertTrue(s.seeds().isEmpty());
        assertTrue(s.selfSeed());
    }

    @Test
    void seedListsParse() {
        assertEquals(List.of(new ClusterSettings.SeedNode("10.0.0.1", 9060), new ClusterSettings.SeedNode("node-b", 9061),
                new ClusterSettings.SeedNode("[::1]", 9062)),
                ClusterSettings.parseSeeds(" 10.0.0.1:9060 , node-b:9061,[::1]:9062"));
        assertTrue(ClusterSettings.parseSeeds("  ").isEmpty());
        assertNull(ClusterSettings.seedNodesProblem(""));
    }

    @Test
    void badSeedEntriesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load("compactor.cluster_seed_nodes = \"a:1,b\""));
        assertEquals("invalid value 'a:1,b' for config cluster_seed_nodes: entry 'b' is not host:port", e.getMessage());
        assertTrue(ClusterSettings.seedNodesProblem("a:0").contains("port 0"));
        assertTrue(ClusterSettings.seedNodesProblem("a/b:1").contains("invalid host"));
        assertTrue(ClusterSettings.seedNodesProblem("a:1,").contains("empty entry"));
        assertTrue(ClusterSettings.seedNodesProblem(":1").contains("not host:port"));
        IllegalArgumentException host = assertThrows(IllegalArgumentException.class,
                () -> load("compactor.cluster_host = \"a b\""));
        assertTrue(host.getMessage().contains("cluster_host"), host.getMessage());
    }

    @Test
    void pekkoSettingsForClusterMode() {
        ClusterSettings s = new ClusterSettings(true, "10.1.2.3", 9070,
                ClusterSettings.parseSeeds("10.1.2.3:9070,10.1.2.4:9070"));
        Config c = ClusterConfigBuilder.build("compactor", s);
        assertEquals("cluster", c.getString("pekko.actor.provider"));
        assertEquals("10.1.2.3", c.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(9070, c.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(List.of("pekko://compactor@10.1.2.3:9070", "pekko://compactor@10.1.2.4:9070"),
                c.getStringList("pekko.cluster.seed-nodes"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                c.getString("pekko.cluster.downing-provider-class"));
        assertTrue(c.getBoolean("pekko.cluster.jmx.multi-mbeans-in-same-jvm"));
        assertEquals("jackson-cbor", c.getConfig("pekko.actor.serialization-bindings")
                .getString("\"" + CborSerializable.class.getName() + "\""));
        assertThrows(IllegalArgumentException.class,
                () -> ClusterConfigBuilder.build("compactor", new ClusterSettings(false, "h", 1, List.of())));
    }
}
