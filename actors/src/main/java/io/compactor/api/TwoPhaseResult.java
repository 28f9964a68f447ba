package io.compactor.api;

import io.compactor.storage.util.Status;

/** Outcome of a {@code _stream_load_2pc} commit or abort: OK or Doris's error, and the load's txn id. */
public record TwoPhaseResult(Status status, long txnId) {
}
