package io.compactor.scheduler.explain;

/**
 * Why one kind of compaction of one tablet is or is not running now.
 *
 * @param type           "cumulative", "base" or "full"
 * @param score          the kind's score as the tablet last reported it
 * @param permits        the permits its pick would hold
 * @param decision       "pick", "refusal" or "none" (score 0: nothing offered)
 * @param decisionCode   the refusal's Doris code ("E-2000", "E-808", ...), else ""
 * @param decisionReason the policy's reason for its pick or refusal, else ""
 * @param state          running, queued, parked, not_queued or idle
 * @param queuePosition  1-based place among this kind's waiting requests in queue order, 0 if not queued
 * @param queueLength    this kind's waiting requests
 * @param hold           what holds it ({@link GrantCheck.Hold#label()}), "none" if nothing
 * @param holdReason     the hold in words, with the numbers
 * @param waitLeftMs     time left of a back-off or of a parked pick's recheck, else 0
 * @param why            one sentence that answers the question
 */
public record KindExplain(String type, long score, long permits, String decision, String decisionCode,
                          String decisionReason, String state, int queuePosition, int queueLength, String hold,
                          String holdReason, long waitLeftMs, String why) {
}
