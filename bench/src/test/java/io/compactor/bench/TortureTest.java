package io.compactor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short form of {@code bin/compactor torture}: three kill -9 iterations, no violation. */
class TortureTest {
    @TempDir
    Path root;

    @Test
    void threeKilledIterationsKeepEveryInvariant() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Torture.Result r = Torture.run(new Torture.Options(3, 3, 3, 42, root), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, r.violations(), text);
        assertTrue(r.loads() > 0, text);
        assertTrue(text.strip().endsWith("torture: iterations=3 violations=0"), text);
    }
}
