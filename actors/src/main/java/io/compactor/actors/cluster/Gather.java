package io.compactor.actors.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Collects the answers of many asks to replicas: those that came, once all came or failed. */
final class Gather {
    private Gather() {
    }

    /** Completes (never exceptionally) with the answers of the asks that succeeded, in order. */
    static <A> CompletableFuture<List<A>> all(List<CompletableFuture<A>> asks) {
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture[0])).handle((ok, err) -> {
            List<A> got = new ArrayList<>();
            for (var f : asks) {
                if (!f.isCompletedExceptionally()) {
                    got.add(f.join());
                }
            }
            return got;
        });
    }
}
