package io.compactor.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * What the torture clients sent and what the node must therefore show. Every load's rows are a
 * function of its sequence number, so only outcomes are kept.
 *
 * <p>DUPLICATE table: load {@code seq} inserts {@link #DUP_ROWS} rows {@code (random id, seq,
 * "d<seq>_<j>")}; visible data must be exactly the multiset of the visible loads' rows.
 * UNIQUE (merge-on-write) table: client {@code c} owns keys {@code [c*KEY_RANGE, (c+1)*KEY_RANGE)}
 * and sends its loads one at a time, so their commit order is their sequence order; load
 * {@code seq} upserts {@link #MOW_KEYS} distinct keys of its client with {@code (seq, "m<seq>")};
 * each key must show the newest visible load that wrote it.
 *
 * <p>A load answered Success must be visible, one answered Fail must not; one without an answer
 * may be either, but all or nothing, and once seen after a restart it must stay so.
 */
final class TortureModel {
    static final int DUP_ROWS = 40;
    static final int MOW_KEYS = 60;
    static final int KEY_RANGE = 1000;

    enum Table { DUP, MOW }

    enum Outcome { SUCCESS, FAIL, NO_ANSWER, VISIBLE, INVISIBLE }

    /** One load; {@code outcome} is replaced once an unanswered load's visibility is known. */
    static final class Load {
        final long seq;
        final Table table;
        final int client;
        volatile Outcome outcome;
        volatile String answer;

        Load(long seq, Table table, int client, Outcome outcome, String answer) {
            this.seq = seq;
            this.table = table;
            this.client = client;
            this.outcome = outcome;
            this.answer = answer;
        }

        String label() {
            return "torture-" + table.name().toLowerCase() + "-" + seq;
        }

        boolean mustBeVisible() {
            return outcome == Outcome.SUCCESS || outcome == Outcome.VISIBLE;
        }

        boolean mustBeInvisible() {
            return outcome == Outcome.FAIL || outcome == Outcome.INVISIBLE;
        }
    }

    private final ConcurrentLinkedQueue<Load> loads = new ConcurrentLinkedQueue<>();

    void record(Load load) {
        loads.add(load);
    }

    List<Load> loads() {
        return new ArrayList<>(loads);
    }

    /** The CSV body of a load. */
    static String body(Table table, long seq, int client) {
        StringBuilder sb = new StringBuilder(64 * 64);
        if (table == Table.DUP) {
            SplittableRandom r = new SplittableRandom(seq * 31 + 7);
            for (int j = 0; j < DUP_ROWS; j++) {
                sb.append(r.nextInt(100_000)).append('\t').append(seq).append('\t').append('d').append(seq)
                        .append('_').append(j).append('\n');
            }
        } else {
            for (long key : mowKeys(seq, client)) {
                sb.append(key).append('\t').append(seq).append('\t').append('m').append(seq).append('\n');
            }
        }
        return sb.toString();
    }

    static List<Long> mowKeys(long seq, int client) {
        SplittableRandom r = new SplittableRandom(seq * 17 + 3);
        List<Long> all = new ArrayList<>(KEY_RANGE);
        for (int i = 0; i < KEY_RANGE; i++) {
            all.add((long) client * KEY_RANGE + i);
        }
        for (int i = 0; i < MOW_KEYS; i++) {
            Collections.swap(all, i, i + r.nextInt(KEY_RANGE - i));
        }
        return all.subList(0, MOW_KEYS);
    }

    /**
     * Checks the DUPLICATE table's rows ({@code id, v, s} lines). Unanswered loads get their
     * visibility recorded. Each problem goes to {@code violation}.
     */
    void checkDup(List<String[]> rows, Consumer<String> violation) {
        Map<Long, List<String>> bySeq = new HashMap<>();
        for (String[] r : rows) {
            bySeq.computeIfAbsent(Long.parseLong(r[1]), k -> new ArrayList<>()).add(r[0] + "\t" + r[2]);
        }
        Map<Long, Load> known = new HashMap<>();
        for (Load l : loads) {
            if (l.table != Table.DUP) {
                continue;
            }
            known.put(l.seq, l);
            List<String> seen = bySeq.getOrDefault(l.seq, List.of());
            boolean visible = !seen.isEmpty();
            if (visible) {
                List<String> expected = new ArrayList<>();
                for (String line : body(Table.DUP, l.seq, l.client).split("\n")) {
                    String[] f = line.split("\t");
                    expected.add(f[0] + "\t" + f[2]);
                }
                List<String> actual = new ArrayList<>(seen);
                Collections.sort(expected);
                Collections.sort(actual);
                if (!expected.equals(actual)) {
                    violation.accept(l.label() + " (" + l.outcome + ") is partly or wrongly visible: "
                            + actual.size() + " of " + expected.size() + " rows");
                }
            }
            settle(l, visible, violation);
        }
        for (Long seq : bySeq.keySet()) {
            if (!known.containsKey(seq)) {
                violation.accept("duplicate table shows rows of an unknown load seq " + seq);
            }
        }
    }

    /** Checks the UNIQUE table's rows: one per key, each from the newest visible load of its key. */
    void checkMow(List<String[]> rows, Consumer<String> violation) {
        Map<Long, String[]> byKey = new HashMap<>();
        for (String[] r : rows) {
            if (byKey.put(Long.parseLong(r[0]), r) != null) {
                violation.accept("unique table shows key " + r[0] + " twice");
            }
        }
        Map<Integer, TreeMap<Long, Load>> byClient = new TreeMap<>();
        for (Load l : loads) {
            if (l.table == Table.MOW) {
                byClient.computeIfAbsent(l.client, c -> new TreeMap<>()).put(l.seq, l);
            }
        }
        for (Map.Entry<Integer, TreeMap<Long, Load>> e : byClient.entrySet()) {
            int client = e.getKey();
            // Visibility of each load from the keys that still show it; a load is overwritten
            // only by newer loads of the same client, so the newest loads decide first.
            Map<Long, Long> expected = new HashMap<>();
            for (Load l : e.getValue().descendingMap().values()) {
                List<Long> keys = mowKeys(l.seq, client);
                int showing = 0;
                int notYetOverwritten = 0;
                for (long k : keys) {
                    if (!expected.containsKey(k)) {
                        notYetOverwritten++;
                        String[] r = byKey.get(k);
                        if (r != null && Long.parseLong(r[1]) == l.seq) {
                            showing++;
                        }
                    }
                }
                boolean visible;
                if (notYetOverwritten == 0) {
                    // Every key rewritten by newer visible loads: nothing to see; trust the answer.
                    visible = l.mustBeVisible();
                } else {
                    visible = showing > 0;
                    if (showing != 0 && showing != notYetOverwritten) {
                        violation.accept(l.label() + " (" + l.outcome + ") is partly visible: " + showing + " of "
                                + notYetOverwritten + " keys not rewritten since");
                    }
                }
                if (visible) {
                    for (long k : keys) {
                        expected.putIfAbsent(k, l.seq);
                    }
                }
                settle(l, visible, violation);
            }
            for (int i = 0; i < KEY_RANGE; i++) {
                long k = (long) client * KEY_RANGE + i;
                Long want = expected.get(k);
                String[] r = byKey.remove(k);
                String got = r == null ? null : r[1] + "\t" + r[2];
                String exp = want == null ? null : want + "\tm" + want;
                if (!java.util.Objects.equals(exp, got)) {
                    violation.accept("unique key " + k + ": expected " + exp + ", got " + got);
                }
            }
        }
        for (Long k : byKey.keySet()) {
            violation.accept("unique table shows key " + k + " no load wrote");
        }
    }

    private static void settle(Load l, boolean visible, Consumer<String> violation) {
        if (l.mustBeVisible() && !visible) {
            violation.accept(l.label() + " (" + l.outcome + ") is not visible; answer: " + l.answer);
        } else if (l.mustBeInvisible() && visible) {
            violation.accept(l.label() + " (" + l.outcome + ") is visible; answer: " + l.answer);
        } else if (l.outcome == Outcome.NO_ANSWER) {
            l.outcome = visible ? Outcome.VISIBLE : Outcome.INVISIBLE;
        }
    }
}
