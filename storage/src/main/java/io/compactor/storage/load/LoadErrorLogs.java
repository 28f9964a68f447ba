package io.compactor.storage.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The rejected rows of loads, one file per load under {@code {root}/error_log}, served by
 * {@code GET /api/_load_error_log?file=NAME} (Doris's {@code ErrorURL}). Each line is a rejected
 * row's reason and source text. At most {@link #MAX_FILES} files are kept; the oldest go first.
 * Thread-safe.
 */
public final class LoadErrorLogs {
    public static final int MAX_FILES = 1000;
    private static final Pattern NAME = Pattern.compile("error_log_[A-Za-z0-9_]{1,200}");

    private final Path dir;

    public LoadErrorLogs(Path root) {
        this.dir = root.resolve("error_log");
    }

    /** Writes a load's rejected rows; returns the file name to put in the error URL. */
    public synchronized String write(long txnId, List<String> lines) {
        String name = "error_log_" + txnId;
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            prune();
        } catch (IOException e) {
            throw new UncheckedIOException("can not write the error log " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** The file's text, or empty when there is no such file (or the name is not an error log's). */
    public Optional<String> read(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Path f = dir.resolve(name);
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void prune() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(files::add);
        }
        if (files.size() <= MAX_FILES) {
            return;
        }
        files.sort(Comparator.comparing(p -> {
            try {
                return Files.getLastModifiedTime(p).toMillis();
            } catch (IOException e) {
                return 0L;
            }
        }));
        for (int i = 0; i < files.size() - MAX_FILES; i++) {
            Files.deleteIfExists(files.get(i));
        }
    }
}
