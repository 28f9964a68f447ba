package io.compactor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code bin/compactor torture --cluster}: three node processes, two iterations
 * of loads (unique and twin labels), reads and kill -9 / SIGSTOP faults; no violation.
 */
class ClusterTortureTest {
    @TempDir
    Path root;

    @Test
    void twoIterationsOfFaultsKeepTheHistoryConsistent() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Torture.Result r = Torture.runCluster(new Torture.Options(2, 3, 3, 7, root), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, r.violations(), text);
        assertTrue(r.loads() > 0, text);
        assertTrue(text.strip().matches("(?s).*cluster-torture: iterations=2 loads=\\d+ violations=0$"), text);
    }
}
