package io.compactor.storage.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key under {@code compactor.}: its Doris name, value type, whether it may change
 * at runtime ({@code /api/update_config}), and its validation rule. Defaults live in the modules'
 * {@code reference.conf}, never in code.
 *
 * @param <T> Boolean, Long, Double or String
 */
public final class ConfigKey<T> {
    /** Value types, named as Doris's show_config names them. */
    public enum Type {
        BOOL("bool"), INT64("int64_t"), DOUBLE("double"), STRING("std::string");

        private final String dorisName;

        Type(String dorisName) {
            this.dorisName = dorisName;
        }

        public String dorisName() {
            return dorisName;
        }
    }

    private final String name;
    private final Type type;
    private final boolean mutable;
    /** What is wrong with a value ("must be ..."), or {@code null} when it is valid. */
    private final Function<T, String> problem;

    private ConfigKey(String name, Type type, boolean mutable, Predicate<T> valid, String rule) {
        this(name, type, mutable, v -> valid.test(v) ? null : "must be " + rule);
    }

    private ConfigKey(String name, Type type, boolean mutable, Function<T, String> problem) {
        this.name = Objects.requireNonNull(name);
        this.type = type;
        this.mutable = mutable;
        this.problem = problem;
    }

    public static ConfigKey<Boolean> bool(String name, boolean mutable) {
        return new ConfigKey<>(name, Type.BOOL, mutable, v -> true, "true or false");
    }

    public static ConfigKey<Long> int64(String name, boolean mutable, long min, long max) {
        String rule = max == Long.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
        return new ConfigKey<>(name, Type.INT64, mutable, v -> v >= min && v <= max, rule);
    }

    public static ConfigKey<Double> dbl(String name, boolean mutable, double min, double max) {
        return new ConfigKey<>(name, Type.DOUBLE, mutable, v -> v >= min && v <= max, "between " + min + " and " + max);
    }

    public static ConfigKey<String> string(String name, boolean mutable, Predicate<String> valid, String rule) {
        return new ConfigKey<>(name, Type.STRING, mutable, valid, rule);
    }

    /**
     * A string key whose check explains itself: {@code problem} returns what is wrong with a value
     * (e.g. which entry of a list is malformed), or {@code null} when the value is valid.
     */
    public static ConfigKey<String> string(String name, boolean mutable, Function<String, String> problem) {
        return new ConfigKey<>(name, Type.STRING, mutable, problem);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public boolean mutable() {
        return mutable;
    }

    /** Reads and validates the key from a config rooted at {@code compactor}. */
    T read(Config compactor) {
        T v;
        try {
            v = switch (type) {
                case BOOL -> cast(compactor.getBoolean(name));
                case INT64 -> cast(readLong(compactor));
                case DOUBLE -> cast(compactor.getDouble(name));
                case STRING -> cast(compactor.getString(name));
            };
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException("config key compactor." + name + " is missing (no default in reference.conf)");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid value for config key compactor." + name + ": " + e.getMessage());
        }
        check(v);
        return v;
    }

    private long readLong(Config c) {
        try {
            return c.getLong(name);
        } catch (ConfigException.WrongType e) {
            return c.getBytes(name); // sizes such as "200MB"
        }
    }

    /** Parses a value as given to /api/update_config or a system property. */
    public T parse(String text) {
        String s = text == null ? "" : text.trim();
        T v;
        try {
            v = switch (type) {
                case BOOL -> {
                    if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException("not a bool");
                    }
                    yield cast(Boolean.parseBoolean(s.toLowerCase(Locale.ROOT)));
                }
                case INT64 -> cast(Long.parseLong(s));
                case DOUBLE -> cast(Double.parseDouble(s));
                case STRING -> cast(s);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value '" + text + "' for config " + name + ": expected "
                    + type.dorisName());
        }
        check(v);
        return v;
    }

    private void check(T v) {
        String p = problem.apply(v);
        if (p != null) {
            throw new IllegalArgumentException("invalid value '" + v + "' for config " + name + ": " + p);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    @Override
    public String toString() {
        return name;
    }
}
