package io.compactor.bench.sim;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The simulate command line, parsed and validated; every error names its flag. */
public final class SimOptions {
    public ScenarioKind scenario;
    public URI target;
    public final Map<String, String> conf = new LinkedHashMap<>();
    public String db;
    public int tables;
    public int buckets;
    public double rate;
    public int rowsPerLoad;
    public Duration duration;
    /** --loads: offer exactly this many loads (no deadline) instead of offering for --duration; 0: by duration. */
    public long loads;
    public Duration settle = Duration.ofSeconds(5);
    public Duration sampleInterval = Duration.ofSeconds(1);
    public Duration timeout = Duration.ofSeconds(120);
    public long seed = 42;
    public String policy;
    public int clients;
    /** Whether --clients was given (else group commit's sync_mode sizes the clients to the interval). */
    public boolean clientsGiven;
    /** The stream-load header group_commit (off_mode, sync_mode, async_mode); null: not sent. */
    public String groupCommit;
    public Path report;
    public int hotKeys = 1000;
    public long keySpace = 1_000_000;
    public double hotRatio = 0.8;
    public double emptyRatio = 0.2;
    public String user = "root";
    public String password;
    public boolean keepData;
    /** replication_num of the created tables (cluster mode for more than 1). */
    public int replication = 1;
    /** Extra table properties, e.g. enable_single_replica_compaction=true. */
    public final Map<String, String> tableProperties = new LinkedHashMap<>();

    public static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: bin/compactor simulate <scenario> [options]\n\n");
        sb.append("Drives a Compactor node over HTTP only and reports how compaction keeps up.\n\nscenarios:\n");
        for (ScenarioKind k : ScenarioKind.values()) {
            sb.append(String.format(Locale.ROOT, "  %-11s %s%n", k.cliName(), k.description));
            sb.append(String.format(Locale.ROOT, "  %-11s defaults: --tables %d --buckets %d --rate %s --rows-per-load %d"
                            + " --duration %s --clients %d --policy %s%s%n", "", k.tables, k.buckets, num(k.rate),
                    k.rowsPerLoad, k.duration, k.clients, k.policy,
                    k.embeddedConf.isEmpty() ? "" : " (embedded: " + k.embeddedConf + ")"));
        }
        sb.append("""

                options:
                  --target URL          node to drive, e.g. http://127.0.0.1:8040; without it an embedded node
                                        runs in a temp dir that is removed afterwards
                  --conf KEY=VALUE      config override for the embedded node (repeatable; 'compactor.' optional)
                  --db NAME             database name (default sim; sim_<timestamp> with --target)
                  --tables N            tables to create
                  --buckets N           buckets (tablets) per table
                  --rate X              loads per second, all clients together
                  --rows-per-load N     rows in each load
                  --duration D          load phase length: 30s, 2m, 1h30m, 500ms
                  --loads N             offer exactly N loads at --rate however long they take (instead of
                                        --duration; not for recovery), so two runs do the same work
                  --settle D            sampling after the last load (default 5s)
                  --sample-interval D   metrics sampling period (default 1s)
                  --timeout D           recovery: wait for the full compaction (default 120s)
                  --seed N              random seed (default 42)
                  --policy P            compaction_policy of the tables: size_based or time_series
                  --replication N       replication_num of the tables (default 1; more needs a cluster)
                  --table-property K=V  extra table property (repeatable), e.g. enable_single_replica_compaction=true
                  --clients N           concurrent load clients (steady: at least rate / 10; sync_mode: enough
                                        to offer the rate while each load waits up to group_commit_interval_ms)
                  --group-commit MODE   stream-load header group_commit: off_mode, sync_mode or async_mode
                                        (loads then carry no label, as Doris requires)
                  --hot-keys N          upsert/recovery: size of the hot key set (default 1000)
                  --key-space N         upsert/recovery: all keys (default 1000000)
                  --hot-ratio X         upsert: share of rows on hot keys, 0..1 (default 0.8)
                  --empty-ratio X       timeseries: share of empty loads, 0..1 (default 0.2)
                  --report DIR          report directory (default ./sim-reports/<scenario>-<timestamp>)
                  --user U              HTTP basic auth user (default root), used with --password
                  --password P          HTTP basic auth password
                  --keep-data           embedded: keep the temp data dir
                  -h, --help            this help
                """);
        return sb.toString();
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** @throws UsageException naming the offending flag or argument */
    public static SimOptions parse(String[] args) {
        if (args.length == 0) {
            throw new UsageException("missing scenario");
        }
        SimOptions o = new SimOptions();
        o.scenario = ScenarioKind.fromCli(args[0]);
        ScenarioKind k = o.scenario;
        o.tables = k.tables;
        o.buckets = k.buckets;
        o.rate = k.rate;
        o.rowsPerLoad = k.rowsPerLoad;
        o.duration = Durations.parse("--duration", k.duration);
        o.clients = k.clients;
        o.policy = k.policy;
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0 && !flag.equals("--conf")) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            if (flag.equals("--keep-data")) {
                o.keepData = true;
                continue;
            }
            if (!flag.startsWith("-")) {
                throw new UsageException("unexpected argument '" + flag + "' (one scenario only; options start with --)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(flag + ": missing value");
                }
                value = args[++i];
            }
            o.apply(flag, value);
        }
        if (o.loads > 0 && k == ScenarioKind.RECOVERY) {
            throw new UsageException("--loads: the recovery scenario runs its own phases; use --duration");
        }
        if ("sync_mode".equals(o.groupCommit) && !o.clientsGiven) {
            o.clients = syncModeClients(o.rate, o.tableProperties.get("group_commit_interval_ms"));
        } else if (k == ScenarioKind.STEADY && !o.clientsGiven) {
            // Open loop: enough clients to offer the rate while each load takes up to 100 ms.
            o.clients = (int) Math.max(k.clients, Math.min(1024, Math.ceil(o.rate / 10)));
        }
        if (o.password == null && o.user != null && !o.user.equals("root")) {
            throw new UsageException("--user: needs --password");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
        if (o.report == null) {
            o.report = Path.of("sim-reports", k.cliName() + "-" + stamp.replace('_', '-'));
        }
        if (o.db == null) {
            // a node that is not ours may already hold the tables of an earlier run
            o.db = o.target == null ? "sim" : "sim_" + stamp;
        }
        return o;
    }

    private void apply(String flag, String v) {
        switch (flag) {
            case "--target" -> target = parseTarget(v);
            case "--conf" -> {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("--conf: expected KEY=VALUE, got '" + v + "'");
                }
                String key = v.substring(0, eq).trim();
                conf.put(key.startsWith("compactor.") ? key.substring("compactor.".length()) : key, v.substring(eq + 1));
            }
            case "--db" -> {
                if (!v.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                    throw new UsageException("--db: '" + v + "' is not a valid name (letters, digits, '_')");
                }
                db = v;
            }
            case "--tables" -> tables = intIn(flag, v, 1, 1000);
            case "--replication" -> replication = intIn(flag, v, 1, 15);
            case "--table-property" -> {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("--table-property: expected KEY=VALUE, got '" + v + "'");
                }
                tableProperties.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
            }
            case "--buckets" -> buckets = intIn(flag, v, 1, 1024);
            case "--rate" -> rate = doubleIn(flag, v, 0.001, 100_000);
            case "--rows-per-load" -> rowsPerLoad = intIn(flag, v, 0, 50_000_000);
            case "--duration" -> duration = Durations.parse(flag, v);
            case "--loads" -> loads = intIn(flag, v, 1, 100_000_000);
            case "--settle" -> settle = v.equals("0") ? Duration.ZERO : Durations.parse(flag, v);
            case "--sample-interval" -> sampleInterval = Durations.parse(flag, v);
            case "--timeout" -> timeout = Durations.parse(flag, v);
            case "--seed" -> {
                try {
                    seed = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new UsageException("--seed: expected an integer, got '" + v + "'");
                }
            }
            case "--policy" -> {
                if (!v.equals("size_based") && !v.equals("time_series")) {
                    throw new UsageException("--policy: expected size_based or time_series, got '" + v + "'");
                }
                policy = v;
            }
            case "--clients" -> {
                clients = intIn(flag, v, 1, 1024);
                clientsGiven = true;
            }
            case "--group-commit" -> {
                if (!v.equals("off_mode") && !v.equals("sync_mode") && !v.equals("async_mode")) {
                    throw new UsageException("--group-commit: expected off_mode, sync_mode or async_mode, got '" + v
                            + "'");
                }
                groupCommit = v;
            }
            case "--hot-keys" -> hotKeys = intIn(flag, v, 1, 10_000_000);
            case "--key-space" -> keySpace = intIn(flag, v, 1, Integer.MAX_VALUE);
            case "--hot-ratio" -> hotRatio = doubleIn(flag, v, 0, 1);
            case "--empty-ratio" -> emptyRatio = doubleIn(flag, v, 0, 1);
            case "--report" -> report = Path.of(v);
            case "--user" -> user = v;
            case "--password" -> password = v;
            default -> throw new UsageException("unknown option '" + flag + "' (see --help)");
        }
    }

    /**
     * Clients enough to offer {@code rate} loads/s when each sync_mode load waits up to the interval
     * (Doris's default 10 s unless the table property says otherwise) plus the commit, which takes
     * seconds on a busy machine: rate x (interval + 3 s), at least 4, at most 1024.
     */
    static int syncModeClients(double rate, String intervalMs) {
        long interval = 10_000;
        if (intervalMs != null) {
            try {
                interval = Long.parseLong(intervalMs.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--table-property group_commit_interval_ms: expected an integer, got '"
                        + intervalMs + "'");
            }
        }
        return (int) Math.max(4, Math.min(1024, Math.ceil(rate * (interval + 3000) / 1000.0)));
    }

    static URI parseTarget(String v) {
        try {
            URI u = URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--target: expected http://host:port, got '" + v + "'");
        }
    }

    static int intIn(String flag, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": expected an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(flag + ": " + n + " is out of range [" + min + ", " + max + "]");
        }
        return (int) n;
    }

    static double doubleIn(String flag, String v, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": expected a number, got '" + v + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new UsageException(flag + ": " + v + " is out of range [" + num(min) + ", " + num(max) + "]");
        }
        return d;
    }

    /** The flags as given/defaulted, for the report. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("scenario", scenario.cliName());
        m.put("target", target == null ? "embedded" : target.toString());
        m.put("db", db);
        m.put("tables", Integer.toString(tables));
        m.put("buckets", Integer.toString(buckets));
        m.put("rate", num(rate));
        m.put("rows-per-load", Integer.toString(rowsPerLoad));
        m.put("duration", Durations.format(duration));
        if (loads > 0) {
            m.put("loads", Long.toString(loads));
        }
        m.put("settle", Durations.format(settle));
        m.put("clients", Integer.toString(clients));
        if (groupCommit != null) {
            m.put("group-commit", groupCommit);
        }
        if (!tableProperties.isEmpty()) {
            m.put("table-properties", tableProperties.toString());
        }
        m.put("policy", policy);
        m.put("seed", Long.toString(seed));
        if (scenario == ScenarioKind.UPSERT || scenario == ScenarioKind.RECOVERY) {
            m.put("hot-keys", Integer.toString(hotKeys));
            m.put("key-space", Long.toString(keySpace));
        }
        if (scenario == ScenarioKind.UPSERT) {
            m.put("hot-ratio", num(hotRatio));
        }
        if (scenario == ScenarioKind.TIMESERIES) {
            m.put("empty-ratio", num(emptyRatio));
        }
        if (!conf.isEmpty()) {
            m.put("conf", conf.toString());
        }
        return m;
    }
}
