package io.compactor.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.List;

/** Alternative spellings of configuration keys that a node accepts. */
final class ConfigAliases {
    private ConfigAliases() {
    }

    /**
     * Accepts the nested spelling {@code compactor.cluster.enabled / host / port / seed_nodes /
     * down_after_seconds} for the flat {@code compactor.cluster_*} keys (the nested one wins).
     */
    static Config apply(Config c) {
        for (String k : List.of("enabled", "host", "port", "seed_nodes", "down_after_seconds")) {
            String nested = "compactor.cluster." + k;
            if (c.hasPath("compactor.cluster") && c.getValue("compactor.cluster").valueType() == ConfigValueType.OBJECT
                    && c.hasPath(nested)) {
                c = c.withValue("compactor.cluster_" + k, c.getValue(nested));
            }
        }
        return c;
    }
}
