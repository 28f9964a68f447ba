package io.compactor.bench;

import io.compactor.bench.sim.NodeClient;
import io.compactor.bench.sim.SimOptions;
import io.compactor.bench.sim.SimulationRunner;
import io.compactor.bench.sim.UsageException;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * {@code bin/compactor simulate <scenario> [options]}: drives a Compactor node over HTTP with a
 * load pattern and reports how compaction keeps up (summary line, CSV time series, report.html).
 * See {@link SimOptions#usage()}.
 */
public final class Simulate {
    static {
        io.compactor.storage.util.CommonPool.ensureParallelism(); // before any CompletableFuture is used
    }

    private Simulate() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")
                || args[0].equals("help")) {
            System.out.print(SimOptions.usage());
            return args.length == 0 ? 2 : 0;
        }
        SimOptions options;
        try {
            options = SimOptions.parse(args);
            Files.createDirectories(options.report);
        } catch (UsageException e) {
            System.err.println("simulate: " + e.getMessage());
            System.err.println("run 'bin/compactor simulate --help' for the scenarios and options");
            return 2;
        } catch (java.io.IOException e) {
            System.err.println("simulate: --report: can not create the report directory: " + e.getMessage());
            return 2;
        }
        // Before anything touches SLF4J: the node's logs go to the report directory, not the terminal.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("compactor.sim.log", options.report.resolve("node.log").toAbsolutePath().toString());
            System.setProperty("logback.configurationFile", "io/compactor/bench/sim/simulate-logback.xml");
        }
        try {
            return new SimulationRunner(options, System.out, System.console() != null).run();
        } catch (UsageException e) {
            System.err.println("simulate: " + e.getMessage());
            return 2;
        } catch (NodeClient.NodeException | NodeClient.EndpointMissingException e) {
            System.err.println("simulate " + options.scenario.cliName() + ": FAILED: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("simulate: interrupted");
            return 130;
        } catch (Exception e) {
            System.err.println("simulate " + options.scenario.cliName() + ": FAILED: " + e);
            e.printStackTrace();
            return 1;
        }
    }
}
