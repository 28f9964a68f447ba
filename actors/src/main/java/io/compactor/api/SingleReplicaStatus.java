package io.compactor.api;

/**
 * Doris's {@code "single replica compaction status"} block of {@code /api/compaction/show}.
 *
 * @param remotePeer        {@code host:port} of the designated replica
 * @param lastFailureStatus Doris's status text of the last failed fetch ({@code [OK]} if none)
 * @param lastFetchedRowset {@code [a-b]} of the last fetched rowset, empty if none yet
 */
public record SingleReplicaStatus(String remotePeer, String lastFailureStatus, String lastFetchedRowset) {
}
