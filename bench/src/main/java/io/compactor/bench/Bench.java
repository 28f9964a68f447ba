package io.compactor.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bin/compactor bench <name> [flags]}: runs one benchmark program. Each benchmark prints
 * progress lines and, last, one summary line {@code <name>: ...}.
 */
public final class Bench {
    static {
        io.compactor.storage.util.CommonPool.ensureParallelism(); // before any CompletableFuture is used
    }

    /** A benchmark's entry point: the arguments after its name. */
    @FunctionalInterface
    public interface Main {
        void run(String[] args) throws Exception;
    }

    /** The benchmarks by name. To add one, add one line here. */
    private static final Map<String, Main> BENCHMARKS = new LinkedHashMap<>();

    static {
        BENCHMARKS.put("streamload", StreamLoadBench::main);
        BENCHMARKS.put("merge", MergeBench::main);
        BENCHMARKS.put("segload", SegLoadBench::main);
        BENCHMARKS.put("torture", Torture::main);
        BENCHMARKS.put("overload", OverloadBench::main);
        BENCHMARKS.put("single-replica", SingleReplicaBench::main);
        BENCHMARKS.put("wide", WideBench::main);
        BENCHMARKS.put("upsert", UpsertBench::main);
        BENCHMARKS.put("groupcommit", GroupCommitBench::main);
        BENCHMARKS.put("scheduler", SchedulerBench::main);
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.err.println("usage: bench <name> [flags]; available: " + String.join(", ", BENCHMARKS.keySet()));
            System.exit(args.length == 0 ? 2 : 0);
            return;
        }
        Main bench = BENCHMARKS.get(args[0]);
        if (bench == null) {
            System.err.println("bench: unknown benchmark '" + args[0] + "'; available: "
                    + String.join(", ", BENCHMARKS.keySet()));
            System.exit(2);
            return;
        }
        bench.run(Arrays.copyOfRange(args, 1, args.length));
    }
}
