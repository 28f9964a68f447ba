package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String TEXT = """
            # HELP compactor_compaction_running Compactions running now.
            # TYPE compactor_compaction_running gauge
            compactor_compaction_running{type="base"} 1
            compactor_compaction_running{type="cumulative"} 3
            compactor_compaction_running{type="full"} 0

            compactor_tablet_max_versions 42
            compactor_load_bytes_total 1.5e6 1700000000000
            weird{a="x,y",b="q\\"uote"} +Inf
            """;

    @Test
    void readsSamplesWithLabelsSkippingCommentsAndTimestamps() {
        PrometheusText m = PrometheusText.parse(TEXT);
        assertEquals(6, m.samples().size());
        assertEquals(3, m.value("compactor_compaction_running", "type", "cumulative"));
        assertEquals(4, m.sum("compactor_compaction_running"));
        assertEquals(42, m.sum("compactor_tablet_max_versions"));
        assertEquals(1_500_000, m.sum("compactor_load_bytes_total"));
        assertEquals(Map.of("base", 1.0, "cumulative", 3.0, "full", 0.0),
                m.byLabel("compactor_compaction_running", "type"));
    }

    @Test
    void labelValuesMayHoldCommasAndEscapedQuotes() {
        PrometheusText.Sample s = PrometheusText.parse(TEXT).samples().get(5);
        assertEquals("x,y", s.labels().get("a"));
        assertEquals("q\"uote", s.labels().get("b"));
        assertTrue(Double.isInfinite(s.value()));
    }

    @Test
    void absentMetricsAreZeroAndNotPresent() {
        PrometheusText m = PrometheusText.parse(TEXT);
        assertFalse(m.has("compactor_compaction_success_total"));
        assertEquals(0, m.sum("compactor_compaction_success_total"));
        assertEquals(0, m.value("compactor_compaction_running", "type", "segment"));
    }

    @Test
    void aBrokenLineIsReportedWithItsNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrometheusText.parse("ok 1\nbad{type=\"x\" 2\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("novalue\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("x{type=unquoted} 1\n"));
    }
}
