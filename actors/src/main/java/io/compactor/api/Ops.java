package io.compactor.api;

import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.ConfigKey;
import io.compactor.storage.engine.BadTablets;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.util.DebugPoints;
import java.util.List;

/** Operating a node: configuration, metrics, fault injection, damaged tablets, what recovery did. */
public interface Ops {
    /** The validated configuration; runtime-mutable keys change through {@link CompactorConfig#update}. */
    CompactorConfig config();

    /** Every configuration key the node knows, by module. */
    List<List<ConfigKey<?>>> configKeys();

    NodeMetrics metrics();

    /** Named fault-injection points (only active with {@code enable_debug_points}). */
    DebugPoints debugPoints();

    BadTablets badTablets();

    /** What opening the storage found and repaired. */
    StorageEngine.RecoveryReport recoveryReport();
}
