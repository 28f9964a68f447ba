package io.compactor.storage.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Doris's {@code be_custom.conf}: the settings {@code update_config} changed with
 * {@code persist=true}, as {@code key=value} lines in the first storage root path. The node reads
 * it at start, after its configuration files, so a persisted change survives a restart. A line
 * whose key is unknown or whose value is no longer valid is skipped with a warning.
 */
public final class CustomConfigFile {
    public static final String NAME = "be_custom.conf";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CustomConfigFile.class);

    private CustomConfigFile() {
    }

    /** The file of a node: {@code be_custom.conf} in the first storage root path. */
    public static Path path(CompactorConfig config) {
        String roots = config.get(StorageKeys.STORAGE_ROOT_PATH);
        String first = roots.split(";", -1)[0];
        int comma = first.indexOf(',');
        return Path.of((comma >= 0 ? first.substring(0, comma) : first).trim()).resolve(NAME);
    }

    /** Applies the persisted settings (at start). */
    public static void apply(CompactorConfig config) {
        Path file = path(config);
        if (!Files.isRegularFile(file)) {
            return;
        }
        for (var e : read(file).entrySet()) {
            try {
                config.update(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                LOG.warn("{}: skipping {}={}: {}", file, e.getKey(), e.getValue(), ex.getMessage());
            }
        }
    }

    /** Records {@code key=value} (replacing an earlier value of the key), written atomically. */
    public static synchronized void persist(CompactorConfig config, String key, String value) {
        Path file = path(config);
        try {
            Map<String, String> all = Files.isRegularFile(file) ? read(file) : new LinkedHashMap<>();
            all.put(key, value);
            StringBuilder sb = new StringBuilder();
            all.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(NAME + ".tmp");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("can not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines) {
                String l = line.trim();
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                    continue;
                }
                out.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can not read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
