package io.compactor.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.node.Node;
import io.compactor.api.Compaction;
import io.compactor.api.Loads;
import io.compactor.api.Membership;
import io.compactor.api.Ops;
import io.compactor.api.Reads;
import io.compactor.api.Tables;
import io.compactor.storage.config.ConfigKey;
import java.time.Clock;
import java.util.List;

/**
 * The embedding entry point: a running Compactor node inside your JVM. {@link #start(Config)}
 * opens the storage (recovering from the meta store), starts the node and returns this handle,
 * which offers the same operations as the HTTP API through a few handles: {@link #tables()},
 * {@link #loads()}, {@link #reads()}, {@link #compaction()}, {@link #cluster()} and {@link #ops()}.
 * Everything they return is a value of {@code io.compactor.api} or of the storage and scheduler
 * modules; nothing of the actor system shows. Every method is thread-safe; operations that involve
 * the node's actors return {@code CompletionStage}s that never block the caller.
 *
 * <pre>{@code
 * try (Compactor node = Compactor.start(ConfigFactory.parseString("compactor.storage_root_path=/tmp/c")
 *         .withFallback(ConfigFactory.load()))) {
 *     node.tables().create(spec).toCompletableFuture().join();
 *     LoadResult r = node.loads().streamLoad("db", "t", csvBytes, LoadOptions.DEFAULTS, "label-1")
 *             .toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class Compactor implements AutoCloseable {
    private final Node node;

    private Compactor(Node node) {
        this.node = node;
    }

    /** Starts a node on {@code application.conf} / {@code reference.conf} / system properties. */
    public static Compactor start() {
        return start(ConfigFactory.load());
    }

    public static Compactor start(Config config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Starts a node with an injected clock (times in meta, stale sweeps and compaction policies
     * follow it; tests and simulations move it instead of sleeping).
     *
     * @throws IllegalArgumentException naming the key when a setting is invalid
     */
    public static Compactor start(Config config, Clock clock) {
        return new Compactor(Node.start(config, clock));
    }

    /** Every configuration key a node knows, by module. */
    public static List<List<ConfigKey<?>>> configKeys() {
        return Node.configKeys();
    }

    /** DDL and the catalog. */
    public Tables tables() {
        return node.tables();
    }

    /** Stream loads. */
    public Loads loads() {
        return node.loads();
    }

    /** Reads of the merged view and checks of tablets. */
    public Reads reads() {
        return node.reads();
    }

    /** Compaction requests, state and profiles. */
    public Compaction compaction() {
        return node.compaction();
    }

    /** The node among its peers: cluster membership, replica peers, catch-up. */
    public Membership cluster() {
        return node.membership();
    }

    /** Configuration, metrics, debug points, bad tablets. */
    public Ops ops() {
        return node.ops();
    }

    /**
     * The implementation behind this facade, as JDBC's {@code unwrap}: {@code unwrap(Node.class)}
     * gives the node's wiring (its storage engine and actor system) to this repository's tests and
     * tools. Not part of the stable embedding API.
     *
     * @throws IllegalArgumentException for any other type
     */
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(node)) {
            return type.cast(node);
        }
        throw new IllegalArgumentException("a Compactor wraps a node, not a " + type.getName());
    }

    /**
     * Stops the node (in-flight work aborts; nothing half-committed) and closes its storage. In
     * cluster mode the node first leaves the cluster gracefully; every step is bounded.
     */
    @Override
    public void close() {
        node.close();
    }
}
