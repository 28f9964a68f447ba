package io.compactor.bench.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.CompactorServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node started in this JVM for a run without {@code --target}: data in a fresh temp dir, HTTP on
 * an ephemeral port; stopped and its dir removed on {@link #close()}. The simulator still talks to
 * it over HTTP only.
 */
final class EmbeddedNode implements AutoCloseable {
    private final CompactorServer server;
    private final Path dir;
    private final boolean keep;

    private EmbeddedNode(CompactorServer server, Path dir, boolean keep) {
        this.server = server;
        this.dir = dir;
        this.keep = keep;
    }

    /**
     * @param conf keys without the {@code compactor.} prefix
     * @throws UsageException naming {@code --conf} when the node rejects a setting
     */
    static EmbeddedNode start(Map<String, String> conf, boolean keep) throws IOException {
        Path dir = Files.createTempDirectory("compactor-sim-");
        Map<String, Object> overrides = new LinkedHashMap<>();
        conf.forEach((k, v) -> overrides.put("compactor." + k, v));
        overrides.put("compactor.storage_root_path", dir.toString());
        overrides.put("compactor.webserver_host", "127.0.0.1");
        overrides.put("compactor.webserver_port", "0");
        overrides.put("pekko.stdout-loglevel", "OFF");
        overrides.put("pekko.log-dead-letters", "off");
        Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load());
        try {
            return new EmbeddedNode(CompactorServer.start(config), dir, keep);
        } catch (RuntimeException e) {
            deleteRecursively(dir);
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof IllegalArgumentException || root instanceof com.typesafe.config.ConfigException) {
                throw new UsageException("--conf: the node rejected its configuration: " + root.getMessage());
            }
            throw e;
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        stop();
        removeData();
    }

    /** Stops the server and the node (running compactions finish or abort). */
    void stop() {
        server.close();
    }

    /** Removes the data dir unless it is kept. */
    void removeData() {
        if (!keep) {
            deleteRecursively(dir);
        }
    }

    static void deleteRecursively(Path root) {
        try {
            io.compactor.bench.TempTree.delete(root);
        } catch (IOException e) {
            System.err.println("simulate: could not remove " + root + ": " + e.getMessage());
        }
    }
}
