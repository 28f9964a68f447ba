package io.compactor.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Outcomes and latencies of the loads a run sent. Thread-safe. */
public final class LoadStats {
    /** How a load ended. */
    public enum Outcome { SUCCESS, FAIL, E235, E238, LABEL_EXISTS, ERROR }

    /** One load: when it started (ms since the run start), how long it took, how it ended. */
    public record Record(long startMs, long latencyMs, String table, Outcome outcome, int rows, long bytes,
                         String message) {
    }

    private final List<Record> records = new ArrayList<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong success = new AtomicLong();
    private final AtomicLong e235 = new AtomicLong();
    private final AtomicLong e238 = new AtomicLong();
    private final Map<String, AtomicLong> failureMessages = new ConcurrentHashMap<>();

    /** Classifies a stream-load answer: Status, and E-235/E-238 by their code or Doris's message text. */
    public static Outcome classify(String status, String message) {
        String m = message == null ? "" : message;
        if ("Success".equals(status)) {
            return Outcome.SUCCESS;
        }
        if ("Label Already Exists".equals(status)) {
            return Outcome.LABEL_EXISTS;
        }
        if (m.contains("E-235") || m.contains("exceed limit")) {
            return Outcome.E235;
        }
        if (m.contains("E-238") || m.toLowerCase(Locale.ROOT).contains("too many segments")) {
            return Outcome.E238;
        }
        return Outcome.FAIL;
    }

    public void add(Record r) {
        synchronized (records) {
            records.add(r);
        }
        total.incrementAndGet();
        switch (r.outcome()) {
            case SUCCESS -> success.incrementAndGet();
            case E235 -> e235.incrementAndGet();
            case E238 -> e238.incrementAndGet();
            default -> { }
        }
        if (r.outcome() != Outcome.SUCCESS) {
            String key = r.message() == null ? r.outcome().name() : shorten(r.message());
            if (failureMessages.size() < 50 || failureMessages.containsKey(key)) {
                failureMessages.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            }
        }
    }

    /** Numbers vary between messages (tablet ids, counts): keep them apart only by their shape. */
    private static String shorten(String m) {
        String s = m.replaceAll("\\d+", "N");
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    public long total() {
        return total.get();
    }

    public long success() {
        return success.get();
    }

    /** Every load that did not answer Success (E-235 and E-238 included). */
    public long failed() {
        return total.get() - success.get();
    }

    public long e235() {
        return e235.get();
    }

    public long e238() {
        return e238.get();
    }

    public Map<String, AtomicLong> failureMessages() {
        return failureMessages;
    }

    /** A copy of the records so far, in completion order. */
    public List<Record> snapshot() {
        synchronized (records) {
            return new ArrayList<>(records);
        }
    }

    /** Records from index {@code from} on (completion order), for windowed statistics. */
    public List<Record> since(int from) {
        synchronized (records) {
            return from >= records.size() ? List.of() : new ArrayList<>(records.subList(from, records.size()));
        }
    }

    public static long[] latencies(List<Record> rs) {
        long[] out = new long[rs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rs.get(i).latencyMs();
        }
        return out;
    }
}
