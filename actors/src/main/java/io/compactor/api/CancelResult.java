package io.compactor.api;

import java.util.List;

/**
 * What a cancel did ({@code POST /api/compaction/cancel}).
 *
 * @param cancelled the compactions it cancelled, queued ones first
 * @param msg       the outcome in words
 */
public record CancelResult(List<Cancelled> cancelled, String msg) {

    /**
     * One cancelled compaction.
     *
     * @param state   "queued" (removed before a grant) or "running" (granted: its merge stops)
     * @param taskId  the running task, 0 for a queued request
     * @param stopped whether it had ended, slot and permits given back, when the answer was made
     *                (a queued one always; a running one stops at its merge's next checkpoint)
     */
    public record Cancelled(long tabletId, String type, String state, long taskId, boolean stopped) {
    }
}
