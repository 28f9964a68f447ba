package io.compactor.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Compactor node in its own JVM ({@code io.compactor.http.CompactorServer}), for the programs
 * that must kill it for real: java from {@code java.home}, this JVM's class path (or
 * {@code bench/target/lib/*}), a free port, and {@code -Dcompactor.<key>=<value>} settings.
 */
final class NodeProcess implements AutoCloseable {
    /** A JVM start on a loaded 2-core machine (several nodes and builds at once) can take minutes. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

    private final Process process;
    private final int port;
    private final Path log;
    private final Duration startTimeout;

    private NodeProcess(Process process, int port, Path log, Duration startTimeout) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.startTimeout = startTimeout;
    }

    /** Starts a node on {@code root} and waits until {@code /api/health} answers. */
    static NodeProcess start(Path root, Map<String, String> settings, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return start(root, port, "768m", settings, log);
    }

    /** Starts a node on {@code root} with its HTTP API on {@code port} and heap {@code xmx}; waits until it is healthy. */
    static NodeProcess start(Path root, int port, String xmx, Map<String, String> settings, Path log)
            throws IOException, InterruptedException {
        return start(root, port, xmx, settings, log, START_TIMEOUT);
    }

    /** As {@link #start(Path, int, String, Map, Path)}, waiting up to {@code startTimeout} for health. */
    static NodeProcess start(Path root, int port, String xmx, Map<String, String> settings, Path log,
                             Duration startTimeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        cmd.add("-D" + io.compactor.storage.util.CommonPool.PROPERTY + "=" + io.compactor.storage.util.CommonPool.PARALLELISM);
        String extra = System.getenv("COMPACTOR_NODE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("-Dcompactor.storage_root_path=" + root);
        cmd.add("-Dcompactor.webserver_port=" + port);
        settings.forEach((k, v) -> cmd.add("-Dcompactor." + k + "=" + v));
        cmd.add("io.compactor.http.CompactorServer");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NodeProcess node = new NodeProcess(p, port, log, startTimeout);
        node.awaitHealthy();
        return node;
    }

    private static String classPath() {
        String cp = System.getProperty("java.class.path", "");
        if (cp.contains("compactor-http") || cp.contains("http/target/classes")) {
            return cp;
        }
        Path lib = Path.of("bench", "target", "lib");
        return lib.toAbsolutePath() + java.io.File.separator + "*";
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(base() + "/api/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("node exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            // Start-up polling of another process: there is no event to wait on.
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        kill();
        throw new IOException("node did not answer /api/health within " + startTimeout + ":\n" + tail());
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to the node's process. */
    void signal(String name) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        k.getInputStream().readAllBytes();
        k.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGKILL, and waits for the process to end. */
    void kill() throws InterruptedException {
        try {
            signal("CONT"); // a stopped process does not die of SIGKILL until it runs again on some kernels
        } catch (IOException ignored) {
            // it ends anyway
        }
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node pid " + process.pid() + " did not end on SIGKILL");
        }
    }

    /** The node's "storage recovered: ..." line. */
    String recoveryLine() throws IOException {
        return logLine("storage recovered");
    }

    /** The first line of the node's log containing {@code needle}, from the needle on. */
    String logLine(String needle) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(needle)).findFirst()
                    .map(l -> l.substring(l.indexOf(needle))).orElse("(no '" + needle + "' line)");
        }
    }

    /** The last lines of the log, for error messages. */
    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
