package io.compactor.bench.sim;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a scenario loads: the tables it creates and the body of its n-th load. Bodies depend only
 * on (seed, load number), so a run is reproducible whatever the client interleaving.
 */
public abstract class Workload {
    /** A table to create: its name and the body of {@code PUT /api/{db}/{table}}. */
    public record TableDef(String name, Map<String, Object> spec) {
    }

    /** One stream load: target table, CSV body (',' separated), row count and, for UNIQUE_KEYS, its keys. */
    public record Load(String table, byte[] body, int rows, long[] keys) {
    }

    public static final String SEPARATOR = ",";

    protected final SimOptions o;

    protected Workload(SimOptions o) {
        this.o = o;
    }

    public static Workload of(SimOptions o) {
        return switch (o.scenario) {
            case STEADY, BURST -> new Plain(o);
            case TIMESERIES -> new TimeSeries(o);
            case UPSERT -> new Upsert(o, false);
            case RECOVERY -> new Upsert(o, true);
        };
    }

    public abstract List<TableDef> tables();

    public abstract Load load(long seq);

    /** Whether loads carry keys whose distinct count the node's {@code _count} must match. */
    public boolean tracksKeys() {
        return false;
    }

    protected String tableName(int i) {
        return o.scenario.cliName() + "_" + i;
    }

    protected SplittableRandom random(long seq) {
        return new SplittableRandom(o.seed * 0x9E3779B97F4A7C15L + seq);
    }

    protected String pickTable(SplittableRandom r) {
        return tableName(r.nextInt(o.tables));
    }

    protected Map<String, Object> spec(String keysType, List<Map<String, String>> columns, List<String> keys,
                                       Map<String, String> extraProps) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("keys_type", keysType);
        spec.put("columns", columns);
        spec.put("key_columns", keys);
        spec.put("buckets", o.buckets);
        spec.put("replication_num", o.replication);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("compaction_policy", o.policy);
        props.putAll(extraProps);
        props.putAll(o.tableProperties);
        spec.put("properties", props);
        return spec;
    }

    protected static Map<String, String> col(String name, String type) {
        return Map.of("name", name, "type", type);
    }

    protected List<TableDef> tablesOf(Map<String, Object> spec) {
        List<TableDef> out = new ArrayList<>();
        for (int i = 0; i < o.tables; i++) {
            out.add(new TableDef(tableName(i), spec));
        }
        return out;
    }

    protected static String word(SplittableRandom r, int len) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) ('a' + r.nextInt(26));
        }
        return new String(c);
    }

    /** DUPLICATE_KEYS rows with random keys: the steady and burst scenarios. */
    static final class Plain extends Workload {
        Plain(SimOptions o) {
            super(o);
        }

        @Override
        public List<TableDef> tables() {
            return tablesOf(spec("DUPLICATE_KEYS", List.of(col("k", "BIGINT"), col("v", "BIGINT"), col("d", "DOUBLE"),
                    col("s", "VARCHAR(32)")), List.of("k"), Map.of()));
        }

        @Override
        public Load load(long seq) {
            SplittableRandom r = random(seq);
            String table = pickTable(r);
            StringBuilder sb = new StringBuilder(o.rowsPerLoad * 48);
            for (int i = 0; i < o.rowsPerLoad; i++) {
                sb.append(r.nextLong(1_000_000_000L)).append(',').append(seq).append(',')
                        .append(Math.round(r.nextDouble() * 1e6) / 100.0).append(',').append(word(r, 12)).append('\n');
            }
            return new Load(table, sb.toString().getBytes(StandardCharsets.UTF_8), o.rowsPerLoad, null);
        }
    }

    /** Append-only log lines on time_series tables; a share of the loads is empty. */
    static final class TimeSeries extends Workload {
        private static final long START_MICROS = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli() * 1000;
        private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                .withZone(ZoneOffset.UTC);
        private static final String[] LEVELS = {"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"};

        TimeSeries(SimOptions o) {
            super(o);
        }

        @Override
        public List<TableDef> tables() {
            Map<String, String> props = new LinkedHashMap<>();
            if (o.policy.equals("time_series")) {
                props.put("time_series_compaction_goal_size_mbytes", "16");
                props.put("time_series_compaction_file_count_threshold", "10");
                props.put("time_series_compaction_time_threshold_seconds", "60");
                props.put("time_series_compaction_empty_rowsets_threshold", "5");
            }
            return tablesOf(spec("DUPLICATE_KEYS", List.of(col("ts", "DATETIME"), col("host", "VARCHAR(32)"),
                    col("level", "VARCHAR(8)"), col("latency_ms", "INT"), col("msg", "VARCHAR(64)")),
                    List.of("ts", "host"), props));
        }

        @Override
        public Load load(long seq) {
            SplittableRandom r = random(seq);
            String table = pickTable(r);
            if (r.nextDouble() < o.emptyRatio) {
                return new Load(table, new byte[0], 0, null);
            }
            long windowStart = START_MICROS + seq * 1_000_000L;
            long step = Math.max(1, 1_000_000L / Math.max(1, o.rowsPerLoad));
            StringBuilder sb = new StringBuilder(o.rowsPerLoad * 80);
            for (int i = 0; i < o.rowsPerLoad; i++) {
                long micros = windowStart + i * step;
                sb.append(TS.format(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000)))
                        .append(',').append("host-").append(r.nextInt(64)).append(',')
                        .append(LEVELS[r.nextInt(LEVELS.length)]).append(',').append(r.nextInt(2000)).append(',')
                        .append("GET /api/").append(word(r, 8)).append(" took ").append(r.nextInt(900)).append("ms\n");
            }
            return new Load(table, sb.toString().getBytes(StandardCharsets.UTF_8), o.rowsPerLoad, null);
        }
    }

    /** Merge-on-write upserts: most rows hit a small hot key set. */
    static final class Upsert extends Workload {
        private final boolean hotOnly;

        Upsert(SimOptions o, boolean hotOnly) {
            super(o);
            this.hotOnly = hotOnly;
        }

        @Override
        public List<TableDef> tables() {
            Map<String, String> props = hotOnly ? Map.of("disable_auto_compaction", "true") : Map.of();
            return tablesOf(spec("UNIQUE_KEYS", List.of(col("k", "BIGINT"), col("v", "BIGINT"), col("seq", "BIGINT"),
                    col("s", "VARCHAR(32)")), List.of("k"), props));
        }

        @Override
        public boolean tracksKeys() {
            return true;
        }

        @Override
        public Load load(long seq) {
            SplittableRandom r = random(seq);
            String table = pickTable(r);
            long hot = Math.min(o.hotKeys, o.keySpace);
            long[] keys = new long[o.rowsPerLoad];
            StringBuilder sb = new StringBuilder(o.rowsPerLoad * 40);
            for (int i = 0; i < o.rowsPerLoad; i++) {
                long k = hotOnly || hot >= o.keySpace || r.nextDouble() < o.hotRatio
                        ? r.nextLong(hot) : hot + r.nextLong(o.keySpace - hot);
                keys[i] = k;
                sb.append(k).append(',').append(r.nextLong(1_000_000)).append(',').append(seq).append(',')
                        .append(word(r, 10)).append('\n');
            }
            return new Load(table, sb.toString().getBytes(StandardCharsets.UTF_8), o.rowsPerLoad, keys);
        }

        /** Every hot key once, in chunks of at most {@code chunk} rows: the recovery baseline. */
        public List<Load> baseline(String table, int chunk) {
            List<Load> out = new ArrayList<>();
            long hot = Math.min(o.hotKeys, o.keySpace);
            for (long start = 0; start < hot; start += chunk) {
                int n = (int) Math.min(chunk, hot - start);
                long[] keys = new long[n];
                StringBuilder sb = new StringBuilder(n * 32);
                for (int i = 0; i < n; i++) {
                    keys[i] = start + i;
                    sb.append(start + i).append(",0,0,base\n");
                }
                out.add(new Load(table, sb.toString().getBytes(StandardCharsets.UTF_8), n, keys));
            }
            return out;
        }
    }
}
