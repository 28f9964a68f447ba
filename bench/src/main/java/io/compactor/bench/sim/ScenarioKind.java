package io.compactor.bench.sim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The scenarios, with what each simulates and its defaults. */
public enum ScenarioKind {
    STEADY("many tablets, small frequent loads (the -235 too-many-versions risk)",
            4, 8, 20, 200, "30s", 4, "size_based", Map.of()),
    BURST("few very large loads (the -238 too-many-segments risk; segment compaction)",
            1, 2, 0.5, 200_000, "30s", 1, "size_based", Map.of("write_buffer_size", "262144")),
    TIMESERIES("append-only log loads on a time_series table, with empty loads mixed in",
            2, 4, 10, 500, "30s", 2, "time_series", Map.of()),
    UPSERT("merge-on-write (UNIQUE_KEYS) upserts with a hot key set",
            2, 4, 10, 500, "30s", 2, "size_based", Map.of()),
    RECOVERY("MoW data recovery: skipped delete-bitmap marks give duplicates, full compaction removes them",
            1, 2, 10, 200, "20s", 2, "size_based", Map.of("enable_debug_points", "true"));

    public final String description;
    public final int tables;
    public final int buckets;
    public final double rate;
    public final int rowsPerLoad;
    public final String duration;
    public final int clients;
    public final String policy;
    /** Config overrides for an embedded node, before the user's {@code --conf}. */
    public final Map<String, String> embeddedConf;

    ScenarioKind(String description, int tables, int buckets, double rate, int rowsPerLoad, String duration,
                 int clients, String policy, Map<String, String> embeddedConf) {
        this.description = description;
        this.tables = tables;
        this.buckets = buckets;
        this.rate = rate;
        this.rowsPerLoad = rowsPerLoad;
        this.duration = duration;
        this.clients = clients;
        this.policy = policy;
        this.embeddedConf = new LinkedHashMap<>(embeddedConf);
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScenarioKind fromCli(String name) {
        for (ScenarioKind k : values()) {
            if (k.cliName().equals(name)) {
                return k;
            }
        }
        throw new UsageException("unknown scenario '" + name + "' (expected one of "
                + String.join(", ", Arrays.stream(values()).map(ScenarioKind::cliName).toList()) + ")");
    }
}
