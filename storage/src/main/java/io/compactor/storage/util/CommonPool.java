package io.compactor.storage.util;

/**
 * The JDK's common fork-join pool must have a parallelism of at least 2. Below that (the JDK's
 * default on a 2-core machine is cores - 1 = 1) {@code CompletableFuture} runs every async task on
 * a new thread, and Scala's {@code CompletionStage} adapter, which Pekko's ask and
 * {@code pipeToSelf} return, turns every dependent stage into an async one: a node under many
 * small loads then started ~800 threads a second. The property is read once, when the pool and
 * {@code CompletableFuture} are first used, so the launchers call {@link #ensureParallelism()}
 * first thing (and {@code bin/compactor} passes it on the command line).
 */
public final class CommonPool {
    public static final String PROPERTY = "java.util.concurrent.ForkJoinPool.common.parallelism";
    /** The parallelism set when none is configured. */
    public static final int PARALLELISM = 8;

    private CommonPool() {
    }

    /** Sets the common pool's parallelism unless configured; call before any async work. */
    public static void ensureParallelism() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(PARALLELISM));
        }
    }

    /** Whether {@code CompletableFuture} runs async tasks on the common pool (not a thread each). */
    public static boolean effective() {
        return java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() > 1;
    }
}
