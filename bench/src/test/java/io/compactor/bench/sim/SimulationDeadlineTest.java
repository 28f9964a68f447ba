package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short {@code simulate steady} against a real embedded node, offered far more loads per second
 * than any node can take: the driver stops offering at the deadline (it sends only a fraction of
 * the offered loads instead of working through all of them), every load it sent is accounted for,
 * and the summary says the node did not keep up.
 */
class SimulationDeadlineTest {
    @TempDir
    Path report;

    @Test
    void anUnreachableRateEndsAtTheDeadlineAndReportsNotKeptUp() throws Exception {
        SimOptions o = SimOptions.parse(new String[]{"steady", "--tables", "1", "--buckets", "2", "--rate", "100000",
                "--rows-per-load", "10", "--duration", "2s", "--settle", "0", "--clients", "2",
                "--report", report.toString()});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        int rc = new SimulationRunner(o, out, false).run();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(SimulationRunner.OK, rc, text);
        String summary = text.lines().filter(l -> l.startsWith("simulate steady: loads=")).findFirst().orElseThrow();
        assertTrue(summary.contains(" offered_loads_per_s=100000.00 "), summary);
        assertTrue(summary.endsWith(" kept_up=no"), summary);

        Matcher phase = Pattern.compile("offering phase of 2\\.0s: (\\d+) offered, (\\d+) sent, (\\d+) succeeded in"
                + " time, (\\d+) finished during the drain \\(at most 30s\\), (\\d+) abandoned").matcher(
                Files.readString(report.resolve("summary.txt")));
        assertTrue(phase.find(), "no phase note in summary.txt");
        long offered = Long.parseLong(phase.group(1));
        long sent = Long.parseLong(phase.group(2));
        long abandoned = Long.parseLong(phase.group(5));
        assertEquals(200_000, offered);
        assertTrue(sent < offered / 2, "offering did not stop at the deadline: sent " + sent + " of " + offered);
        List<String> loads = Files.readAllLines(report.resolve("loads.csv"));
        assertEquals(sent - abandoned, loads.size() - 1, "every sent load is recorded unless abandoned");
        assertTrue(Files.readString(report.resolve("report.html")).contains("Offered vs achieved load"));
    }
}
