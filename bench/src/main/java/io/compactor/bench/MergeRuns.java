package io.compactor.bench;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The same run discipline for every peer of {@code bench merge}: one warm-up run, then
 * {@code runs} measured runs; each run prepares {@code threads} independent inputs (untimed), then
 * compacts them at once, one compaction per thread, timed from the first start to the last end.
 * The figure is the median of the measured runs' rates (input rows of all compactions / wall time).
 */
final class MergeRuns {
    /** One peer: prepares an input (untimed) and compacts it (timed). */
    interface Peer {
        /** Prepares input {@code slot} of run {@code run}; returns what {@link #compact} needs. */
        Object prepare(int run, int slot) throws Exception;

        /** Compacts one prepared input on the calling thread. */
        void compact(Object prepared) throws Exception;

        /** Deletes what one run left behind. */
        void cleanup(Object prepared) throws Exception;
    }

    private MergeRuns() {
    }

    /** Returns the median rate in rows per second. */
    static double median(String name, Peer peer, int runs, int threads, long rowsPerCompaction) throws Exception {
        double[] rates = new double[runs];
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "merge-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            for (int run = -1; run < runs; run++) {
                List<Object> inputs = new ArrayList<>();
                for (int s = 0; s < threads; s++) {
                    inputs.add(peer.prepare(run + 1, s));
                }
                System.gc();
                long start = System.nanoTime();
                List<Future<Void>> done = new ArrayList<>();
                for (Object in : inputs) {
                    Callable<Void> c = () -> {
                        peer.compact(in);
                        return null;
                    };
                    done.add(pool.submit(c));
                }
                for (Future<Void> f : done) {
                    f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = threads * rowsPerCompaction / seconds;
                System.out.printf("merge-bench: %s %s: %d compaction(s) on %d thread(s) in %.3f s, %,d rows/s%n", name,
                        run < 0 ? "warm-up" : "run " + (run + 1), threads, threads, seconds, Math.round(rate));
                for (Object in : inputs) {
                    peer.cleanup(in);
                }
                if (run >= 0) {
                    rates[run] = rate;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Arrays.sort(rates);
        double median = runs % 2 == 1 ? rates[runs / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2;
        System.out.printf("merge-bench: %s median of %d runs: %,d rows/s%n", name, runs, Math.round(median));
        return median;
    }
}
