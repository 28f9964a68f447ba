package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stuck-tablet watchdog stays quiet in the steady simulation: a node that keeps up with small
 * frequent loads has no tablet whose versions keep rising without a compaction finishing and no
 * compaction running longer than its size allows, even with the watchdog's windows cut from
 * minutes to 3 seconds (the node's own test, StuckTabletWatchdogTest in http, shows it fires).
 */
class SteadyWatchdogTest {
    @TempDir
    Path report;

    @Test
    void theWatchdogReportsNothingInTheSteadySimulation() throws Exception {
        SimOptions o = SimOptions.parse(new String[]{"steady", "--tables", "2", "--buckets", "4", "--rate", "20",
                "--rows-per-load", "200", "--duration", "8s", "--settle", "0", "--clients", "2",
                "--conf", "compaction_stuck_rising_seconds=3", "--conf", "compaction_stuck_min_seconds=3",
                "--report", report.toString()});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        int rc = new SimulationRunner(o, out, false).run();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(SimulationRunner.OK, rc, text);
        String summary = text.lines().filter(l -> l.startsWith("simulate steady: loads=")).findFirst().orElseThrow();
        assertTrue(summary.contains(" compactions=") && !summary.contains(" compactions=0 "),
                "compaction ran during the simulation: " + summary);
        assertTrue(text.contains("simulate: watchdog: stuck_reported=0 stuck_now=0"), text);
        assertTrue(Files.readString(report.resolve("summary.txt")).contains("watchdog: stuck_reported=0 stuck_now=0"));
    }
}
