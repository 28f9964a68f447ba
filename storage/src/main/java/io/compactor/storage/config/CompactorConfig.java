package io.compactor.storage.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The node's settings: every known key read once from the {@code compactor} block and validated
 * at start-up (a bad value fails start-up naming the key). Mutable keys can change later through
 * {@link #update}, which validates the same way and notifies listeners. Thread-safe.
 */
public final class CompactorConfig {
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, Object>> listeners = new CopyOnWriteArrayList<>();
    private final Config raw;

    private CompactorConfig(Config raw) {
        this.raw = raw;
    }

    /**
     * Reads and validates every key. {@code root} is the whole config (with {@code compactor.*}).
     *
     * @throws IllegalArgumentException naming the first invalid or missing key
     */
    public static CompactorConfig load(Config root, Collection<? extends List<? extends ConfigKey<?>>> keyLists) {
        Config c = root.getConfig("compactor");
        CompactorConfig cfg = new CompactorConfig(root);
        for (List<? extends ConfigKey<?>> list : keyLists) {
            for (ConfigKey<?> k : list) {
                if (cfg.keys.putIfAbsent(k.name(), k) != null) {
                    throw new IllegalStateException("config key " + k.name() + " defined twice");
                }
                cfg.values.put(k.name(), k.read(c));
            }
        }
        return cfg;
    }

    /** The whole underlying config (for Pekko settings). */
    public Config raw() {
        return raw;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        Object v = values.get(key.name());
        if (v == null) {
            throw new IllegalArgumentException("config key " + key.name() + " is not registered");
        }
        return (T) v;
    }

    public long getLong(ConfigKey<Long> key) {
        return get(key);
    }

    public int getInt(ConfigKey<Long> key) {
        return Math.toIntExact(get(key));
    }

    public boolean getBool(ConfigKey<Boolean> key) {
        return get(key);
    }

    /** The current value of a key by name, or {@code null} if no such key is registered. */
    public Object value(String name) {
        return values.get(name);
    }

    /** Whether a key with this name exists. */
    public boolean has(String name) {
        return keys.containsKey(name);
    }

    /**
     * Changes a runtime-mutable key.
     *
     * @throws IllegalArgumentException if the key is unknown, immutable or the value invalid
     */
    public void update(String name, String value) {
        ConfigKey<?> k = keys.get(name);
        if (k == null) {
            throw new IllegalArgumentException("config field=" + name + " not exists");
        }
        if (!k.mutable()) {
            throw new IllegalArgumentException("config field=" + name + " is immutable");
        }
        Object v = k.parse(value);
        values.put(name, v);
        for (BiConsumer<String, Object> l : listeners) {
            l.accept(name, v);
        }
    }

    /** Called after every successful {@link #update} with the key name and new value. */
    public void addListener(BiConsumer<String, Object> listener) {
        listeners.add(listener);
    }

    /** One line of /api/show_config: name, type, value, mutable. */
    public record Entry(String name, String type, String value, boolean mutable) {
    }

    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (ConfigKey<?> k : keys.values()) {
            out.add(new Entry(k.name(), k.type().dorisName(), String.valueOf(values.get(k.name())), k.mutable()));
        }
        return out;
    }
}
