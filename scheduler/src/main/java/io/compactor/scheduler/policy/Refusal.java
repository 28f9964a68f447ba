package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.util.Objects;

/**
 * A policy found nothing to compact (or the tablet cannot be compacted as it is).
 *
 * @param type                   the kind asked for
 * @param policy                 the policy that refused
 * @param tabletId               the tablet
 * @param status                 Doris's status, e.g. {@link StatusCode#CUMULATIVE_NO_SUITABLE_VERSION}
 * @param message                Doris's message, e.g. "_input_rowsets is empty"
 * @param detail                 why, in more words than Doris gives
 * @param cumulativePoint        the cumulative point to store (it may have been advanced)
 * @param initializeSuccessTimes Doris initialises never-set last cumulative/base success times to
 *                               now on this path, so the "nothing picked for a day" rule can fire later
 */
public record Refusal(CompactionType type, String policy, long tabletId, StatusCode status, String message,
                      String detail, long cumulativePoint, boolean initializeSuccessTimes) implements PickResult {

    public Refusal {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(detail, "detail");
    }

    /** The refusal as a status: its code and Doris's message. */
    public Status toStatus() {
        return new Status(status, message);
    }

    /** Doris's {@code Status::to_string()} form used in "last ... status": {@code [E-2000]msg}. */
    public String statusString() {
        return toStatus().toString();
    }

    /** Whether this only means "nothing to do now" (not a failure of the tablet). */
    public boolean isNoSuitableVersion() {
        return status.isNoSuitableVersion();
    }

    @Override
    public String reason() {
        return detail.isEmpty() ? message : message + " (" + detail + ")";
    }
}
