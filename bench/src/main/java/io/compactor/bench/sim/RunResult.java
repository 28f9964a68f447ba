package io.compactor.bench.sim;

import java.util.List;
import java.util.Map;

/**
 * Everything a finished run reports: the options, the time series, the loads, the summary line
 * and notes (how numbers were derived, what the scenario showed).
 */
public record RunResult(String scenario, Map<String, String> options, List<Sample> samples,
                        List<LoadStats.Record> loads, Map<String, Long> failureMessages, String summaryLine,
                        long versionLimit, List<String> notes, boolean ok) {
}
