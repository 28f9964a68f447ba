package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * A {@link CompactorServer} in a JVM of its own on a data dir, for the crash tests: started (on a
 * free port, its log in {@code logs/server-<n>.log}) until {@code /api/health} answers, and
 * killed with SIGKILL. {@link #close} kills it if it still runs.
 */
final class ServerProcess implements AutoCloseable {
    private final Path root;
    private final Path logs;
    private final List<String> properties;
    private Process process;
    private int port;
    private int starts;

    /** @param properties extra {@code -D} settings, e.g. {@code compactor.write_buffer_size=8192} */
    ServerProcess(Path root, Path logs, String... properties) {
        this.root = root;
        this.logs = logs;
        this.properties = List.of(properties);
    }

    int port() {
        return port;
    }

    /** The log of the latest start. */
    Path lastLog() {
        return logs.resolve("server-" + (starts - 1) + ".log");
    }

    /** Starts the server and waits until it answers {@code /api/health}. */
    void start() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = logs.resolve("server-" + (starts++) + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "-Dcompactor.storage_root_path=" + root, "-Dcompactor.webserver_port=" + port));
        properties.forEach(p -> cmd.add("-D" + p));
        cmd.add("io.compactor.http.CompactorServer");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpTestClient http = new HttpTestClient(port);
        // a JVM start plus replay takes seconds on a quiet machine, over a minute on a saturated 2-core one
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            return http.get("/api/health").status() == 200;
        });
    }

    /** kill -9, and waits for the process to end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server process ends on SIGKILL");
    }

    /**
     * Runs {@code clients} threads sending loads {@code firstSeq, firstSeq + 1, ...} and kills the
     * server once {@code killAfter} loads succeeded while others are in flight. Answers every load
     * sent, with what its client saw.
     */
    <L> List<L> loadUntilKilled(int clients, long firstSeq, int killAfter, LongFunction<L> send,
                                Predicate<L> succeeded) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger seq = new AtomicInteger();
        ConcurrentLinkedQueue<L> done = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (!killed.get()) {
                        long s = firstSeq + seq.getAndIncrement();
                        inFlight.incrementAndGet();
                        L result;
                        try {
                            result = send.apply(s);
                        } finally {
                            inFlight.decrementAndGet();
                        }
                        done.add(result);
                        if (succeeded.test(result)) {
                            successes.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> successes.get() >= killAfter && inFlight.get() > 0);
            killed.set(true);
            kill();
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "clients stop once the server is gone");
        } finally {
            pool.shutdownNow();
        }
        return new ArrayList<>(done);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
