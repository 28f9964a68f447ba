package io.compactor.api;

/**
 * What {@link Membership#catchUpFrom} did for one tablet.
 *
 * @param tabletId        the tablet
 * @param peer            {@code host:port} fetched from
 * @param versionBefore   the local chain's end version before
 * @param versionAfter    its end version after (the peer's when it succeeded)
 * @param rowsetsFetched  peer rowsets copied (0 when the replica was not behind)
 * @param rowsetsReplaced local rowsets they replaced (now stale)
 * @param bytes           bytes downloaded
 */
public record CatchUpResult(long tabletId, String peer, long versionBefore, long versionAfter, int rowsetsFetched,
                            int rowsetsReplaced, long bytes) {
}
