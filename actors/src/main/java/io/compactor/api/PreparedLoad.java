package io.compactor.api;

/**
 * A stream load that ended prepared ({@code two_phase_commit: true}), waiting for
 * {@code _stream_load_2pc} to commit or abort it.
 *
 * @param expiresAtMs when it is aborted if neither happened
 */
public record PreparedLoad(long txnId, String label, String db, String table, long preparedAtMs, long expiresAtMs,
                           long loadedRows, long filteredRows) {
}
