package io.compactor.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;

/** The benchmarks' scratch directories: removed whole when a run ends. */
public final class TempTree {
    /** Threads unlinking files at once: a node's data dir can hold a hundred thousand small segment files. */
    private static final int DELETE_THREADS = 4;

    private TempTree() {
    }

    /** Deletes {@code root} and everything below it; nothing to do when it does not exist. */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> (Files.isDirectory(p) ? dirs : files).add(p));
        }
        ForkJoinPool pool = new ForkJoinPool(DELETE_THREADS);
        try {
            pool.submit(() -> files.parallelStream().forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException("could not delete the files under " + root, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting " + root, e);
        } finally {
            pool.shutdown();
        }
        dirs.sort(Comparator.reverseOrder());
        for (Path d : dirs) {
            Files.deleteIfExists(d);
        }
    }
}
