package io.compactor.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What the cluster torture's clients were told, and the checks of the reads against it. A load
 * {@code seq} has {@link #ROWS} rows with ids {@code seq * 100 + i} and {@code v = seq}, under
 * label {@code ct-<seq>} (a twin sends the same label and rows through two nodes at once). Kept
 * small: per load its answers, plus two bit sets (answered Success; answered only Fail).
 */
final class ClusterHistory {
    static final int ROWS = 6;

    /** One load's answers (one per attempt: a twin has two). */
    static final class Load {
        final int seq;
        final List<String> answers = new ArrayList<>();

        Load(int seq) {
            this.seq = seq;
        }

        synchronized void answer(String a) {
            answers.add(a);
        }

        /** Must be visible: some attempt answered Success or Publish Timeout. */
        synchronized boolean mustShow() {
            return answers.stream().anyMatch(a -> a.equals("Success") || a.equals("Publish Timeout"));
        }

        /** Must never be visible: every attempt answered Fail or Label Already Exists, at least one Fail. */
        synchronized boolean mustNotShow(int attempts) {
            return answers.size() == attempts && answers.stream().anyMatch(a -> a.equals("Fail"))
                    && answers.stream().allMatch(a -> a.equals("Fail") || a.equals("Label Already Exists"));
        }
    }

    /** One iteration's counters. */
    static final class Round {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger fail = new AtomicInteger();
        final AtomicInteger publishTimeout = new AtomicInteger();
        final AtomicInteger labelExists = new AtomicInteger();
        final AtomicInteger unknown = new AtomicInteger();
        final AtomicInteger twins = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger readErrors = new AtomicInteger();

        String summary() {
            return String.format("loads ok=%d fail=%d publish_timeout=%d label_exists=%d unknown=%d twins=%d reads=%d"
                            + " read_errors=%d", ok.get(), fail.get(), publishTimeout.get(), labelExists.get(),
                    unknown.get(), twins.get(), reads.get(), readErrors.get());
        }
    }

    private final AtomicInteger nextSeq = new AtomicInteger();
    private final Map<Integer, Load> loads = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> attempts = new ConcurrentHashMap<>();
    private final BitSet acked = new BitSet();
    private final BitSet failed = new BitSet();

    Round newRound() {
        return new Round();
    }

    long loads() {
        return loads.size();
    }

    long unanswered() {
        return loads.values().stream().filter(l -> !l.mustShow() && !l.mustNotShow(attempts.get(l.seq))).count();
    }

    Load newLoad(int attemptCount) {
        int seq = nextSeq.incrementAndGet();
        Load l = new Load(seq);
        loads.put(seq, l);
        attempts.put(seq, attemptCount);
        return l;
    }

    static String label(int seq) {
        return "ct-" + seq;
    }

    static String body(int seq) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            b.append(seq * 100L + i).append('\t').append(seq).append('\t').append("r").append(seq).append('\n');
        }
        return b.toString();
    }

    void answered(Load l, String answer, Round round) {
        l.answer(answer);
        switch (answer) {
            case "Success" -> round.ok.incrementAndGet();
            case "Fail" -> round.fail.incrementAndGet();
            case "Publish Timeout" -> round.publishTimeout.incrementAndGet();
            case "Label Already Exists" -> round.labelExists.incrementAndGet();
            default -> round.unknown.incrementAndGet();
        }
        synchronized (this) {
            if (answer.equals("Success")) {
                acked.set(l.seq);
            }
            if (l.mustNotShow(attempts.get(l.seq))) {
                failed.set(l.seq);
            }
        }
    }

    synchronized BitSet ackedNow() {
        return (BitSet) acked.clone();
    }

    synchronized BitSet failedNow() {
        return (BitSet) failed.clone();
    }

    /** Rows per load in a scan's CSV answer ({@code id \t v \t s} lines). */
    static Map<Integer, Integer> countBySeq(String csv) {
        Map<Integer, Integer> out = new HashMap<>();
        int start = 0;
        while (start < csv.length()) {
            int end = csv.indexOf('\n', start);
            if (end < 0) {
                end = csv.length();
            }
            int t1 = csv.indexOf('\t', start);
            int t2 = t1 < 0 ? -1 : csv.indexOf('\t', t1 + 1);
            if (t1 > 0 && t2 > t1 && t2 < end) {
                out.merge(Integer.parseInt(csv.substring(t1 + 1, t2)), 1, Integer::sum);
            }
            start = end + 1;
        }
        return out;
    }

    /**
     * One read, against what was known when it began: each load whole or absent, every load
     * acknowledged Success before it present, no load that only failed present.
     */
    void checkRead(Map<Integer, Integer> counts, BitSet ackedBefore, BitSet failedBefore, String via,
                   Consumer<String> violation) {
        for (var e : counts.entrySet()) {
            if (e.getValue() != ROWS) {
                violation.accept("read through " + via + " shows load " + e.getKey() + " with " + e.getValue() + " of "
                        + ROWS + " rows (" + (e.getValue() > ROWS ? "applied twice" : "partly visible") + ")");
            }
            if (failedBefore.get(e.getKey())) {
                violation.accept("read through " + via + " shows load " + e.getKey() + " that was answered Fail "
                        + loads.get(e.getKey()).answers);
            }
        }
        for (int seq = ackedBefore.nextSetBit(0); seq >= 0; seq = ackedBefore.nextSetBit(seq + 1)) {
            if (!counts.containsKey(seq)) {
                violation.accept("read through " + via + " misses load " + seq + ", answered Success before the read"
                        + " began");
            }
        }
    }

    /**
     * After the dust settled: loads answered Success or Publish Timeout all visible exactly once
     * (committed loads may take a few seconds to be published: scans again for up to a minute),
     * loads that only failed invisible, the others whole or absent.
     */
    void checkFinal(ClusterTorture t, List<Long> tablets, Consumer<String> violation) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<Integer, Integer> counts = null;
        String via = "";
        while (System.nanoTime() < deadline) {
            for (int node = 0; node < 3 && counts == null; node++) {
                try {
                    HttpResponse<String> r = t.send(node, "GET", "/api/" + ClusterTorture.DB + "/t/_scan?format=csv", null,
                            Map.of(), Duration.ofSeconds(60));
                    if (r.statusCode() == 200) {
                        counts = countBySeq(r.body());
                        via = "node " + node;
                    }
                } catch (IOException e) {
                    // another node
                }
            }
            Map<Integer, Integer> c = counts;
            if (c != null && loads.values().stream().filter(Load::mustShow).allMatch(l -> c.containsKey(l.seq))) {
                break;
            }
            counts = null;
            Thread.sleep(1000); // committed loads being published by the leader: polled
        }
        if (counts == null) {
            violation.accept("no node answered a scan within a minute of the dust settling");
            return;
        }
        for (Load l : loads.values()) {
            int n = counts.getOrDefault(l.seq, 0);
            if (l.mustShow() && n != ROWS) {
                violation.accept("load " + l.seq + " answered " + l.answers + " shows " + n + " of " + ROWS + " rows "
                        + "after the dust settled (" + via + ")");
            } else if (l.mustNotShow(attempts.get(l.seq)) && n != 0) {
                violation.accept("load " + l.seq + " answered " + l.answers + " is visible (" + n + " rows, " + via + ")");
            } else if (n != 0 && n != ROWS) {
                violation.accept("load " + l.seq + " answered " + l.answers + " shows " + n + " of " + ROWS + " rows ("
                        + via + ")");
            }
        }
        for (int seq : counts.keySet()) {
            if (!loads.containsKey(seq)) {
                violation.accept("rows of load " + seq + " that no client sent are visible");
            }
        }
    }
}
