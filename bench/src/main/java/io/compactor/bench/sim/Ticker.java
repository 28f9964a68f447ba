package io.compactor.bench.sim;

/**
 * The load driver's time: real time in a run, a fake clock in tests (which advance it instead of
 * sleeping). Only the driver's schedule uses it; HTTP timeouts stay in real time.
 */
public interface Ticker {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Waits {@code nanos} (does nothing for zero or less). */
    void sleepNanos(long nanos) throws InterruptedException;

    /** Wall-clock time of this JVM. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        }
    };
}
