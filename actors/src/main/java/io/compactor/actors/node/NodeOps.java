package io.compactor.actors.node;

import io.compactor.api.NodeMetrics;
import io.compactor.api.Ops;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.ConfigKey;
import io.compactor.storage.engine.BadTablets;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.util.DebugPoints;
import java.util.List;

/** {@link Ops} of a node. */
final class NodeOps implements Ops {
    private final Node node;

    NodeOps(Node node) {
        this.node = node;
    }

    @Override
    public CompactorConfig config() {
        return node.config;
    }

    @Override
    public List<List<ConfigKey<?>>> configKeys() {
        return Node.configKeys();
    }

    @Override
    public NodeMetrics metrics() {
        return node.metrics;
    }

    @Override
    public DebugPoints debugPoints() {
        return node.engine.debugPoints();
    }

    @Override
    public BadTablets badTablets() {
        return node.engine.badTablets();
    }

    @Override
    public StorageEngine.RecoveryReport recoveryReport() {
        return node.engine.recoveryReport();
    }
}
