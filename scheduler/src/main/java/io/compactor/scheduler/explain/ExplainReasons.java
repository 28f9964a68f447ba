package io.compactor.scheduler.explain;

import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.policy.Refusal;
import java.util.List;

/**
 * Puts an explanation into words from what the scheduler knows of one (tablet, kind): its
 * candidate, whether it runs or waits and where, a parked "nothing suitable" answer and the
 * {@link GrantCheck} verdict. Pure: the supervisor gathers the facts, this decides the words.
 */
public final class ExplainReasons {
    private ExplainReasons() {
    }

    /**
     * The facts of one (tablet, kind).
     *
     * @param candidate     what the tablet offers for the kind
     * @param runningTaskId the task running it now, or 0
     * @param queuePosition 1-based place in the kind's queue order, 0 if not queued
     * @param queueLength   the kind's waiting requests
     * @param manual        the waiting request is an operator's
     * @param parkedStatus  the "nothing suitable" answer it is parked with, or null
     * @param parkedLeftMs  time until a parked pick is retried even if its score stays
     * @param verdict       what the grant rule says about it now (for a request built from the
     *                      candidate if none waits)
     */
    public record Facts(CompactionType type, CompactionCandidate candidate, long runningTaskId, int queuePosition,
                        int queueLength, boolean manual, String parkedStatus, long parkedLeftMs,
                        GrantCheck.Verdict verdict) {
    }

    public static KindExplain kind(Facts f) {
        CompactionCandidate c = f.candidate();
        String decision = c.decision() == null ? "none" : c.decision() instanceof CompactionPick ? "pick" : "refusal";
        String code = c.decision() instanceof Refusal r ? r.status().text() : "";
        String decisionReason = c.decision() == null ? "" : c.decision().reason();
        GrantCheck.Verdict v = f.verdict();
        String kind = f.type().dorisName();
        String state;
        long waitLeft = 0;
        String why;
        if (f.runningTaskId() > 0) {
            state = "running";
            why = "a " + kind + " compaction is running (task " + f.runningTaskId() + ")";
        } else if (f.queuePosition() > 0) {
            state = "queued";
            String place = "queued " + ordinal(f.queuePosition()) + " of " + f.queueLength()
                    + (f.manual() ? " (manual, ahead of automatic requests)" : "");
            if (v.grantable()) {
                why = place + "; nothing holds it, it starts at the next dispatch";
            } else {
                why = place + "; waiting: " + v.reason();
                waitLeft = v.waitLeftMs();
            }
        } else if (f.parkedStatus() != null) {
            state = "parked";
            waitLeft = Math.max(0, f.parkedLeftMs());
            why = "its last pick found nothing to compact: " + f.parkedStatus() + "; it is picked again when its score"
                    + " changes, or in " + waitLeft + " ms";
        } else if (c.score() <= 0) {
            state = "idle";
            why = "nothing to compact: its " + kind + " score is 0";
        } else if (!v.grantable()) {
            state = "not_queued";
            waitLeft = v.waitLeftMs();
            why = "not picked: " + v.reason();
        } else {
            state = "not_queued";
            why = f.type() == CompactionType.FULL ? "full compaction runs only when requested (score " + c.score() + ")"
                    : "score " + c.score() + " offered; it joins the queue with the tablet's next report";
        }
        if (c.decision() instanceof Refusal r && !"running".equals(state)) {
            why += "; its policy refuses now: " + r.statusString()
                    + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
        }
        boolean held = !v.grantable() && !"running".equals(state); // a running kind is held by nothing
        return new KindExplain(kind, c.score(), c.grantPermits(), decision, code, decisionReason, state,
                f.queuePosition(), f.queueLength(), held ? v.hold().label() : GrantCheck.Hold.NONE.label(),
                held ? v.reason() : "", waitLeft, why);
    }

    /** The tablet's answer in one sentence, from its kinds' answers. */
    public static String summary(List<KindExplain> kinds, boolean stuck) {
        StringBuilder sb = new StringBuilder();
        for (KindExplain k : kinds) {
            if (k.type().equals("full") && k.state().equals("not_queued")) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : " ").append(k.type()).append(": ").append(k.why()).append('.');
        }
        return (stuck ? "STUCK. " : "") + sb;
    }

    private static String ordinal(int n) {
        int mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }
}
