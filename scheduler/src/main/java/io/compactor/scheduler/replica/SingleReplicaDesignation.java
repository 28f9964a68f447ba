package io.compactor.scheduler.replica;

import java.util.Collection;
import java.util.OptionalLong;

/**
 * Doris's choice of the replica that compacts for a single-replica-compaction tablet: the one
 * with the smallest {@code hash64(replica_id, seed 104729) % 7652413}. The hash is MurmurHash64A
 * (the function behind Doris's {@code HashUtil::hash64}) of the id's 8 little-endian bytes, so
 * every node computes the same designation from the same replica ids; ties go to the smaller id.
 */
public final class SingleReplicaDesignation {
    /** Doris's seed. */
    public static final long SEED = 104729L;
    /** Doris's modulus. */
    public static final long MODULUS = 7652413L;

    private SingleReplicaDesignation() {
    }

    /** {@code hash64(replicaId, 104729) % 7652413}, unsigned. */
    public static long score(long replicaId) {
        return Long.remainderUnsigned(murmur64a(replicaId, SEED), MODULUS);
    }

    /** The designated replica id among {@code replicaIds}; empty when there are none. */
    public static OptionalLong designate(Collection<Long> replicaIds) {
        long best = 0;
        long bestScore = Long.MAX_VALUE;
        boolean found = false;
        for (long id : replicaIds) {
            long s = score(id);
            if (!found || s < bestScore || s == bestScore && id < best) {
                best = id;
                bestScore = s;
                found = true;
            }
        }
        return found ? OptionalLong.of(best) : OptionalLong.empty();
    }

    /** MurmurHash64A of one 8-byte little-endian value. */
    static long murmur64a(long value, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = seed ^ (8 * m);
        long k = value;
        k *= m;
        k ^= k >>> r;
        k *= m;
        h ^= k;
        h *= m;
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }
}
