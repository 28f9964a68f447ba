package io.compactor.actors.tablet;

import io.compactor.actors.compaction.CompactionProfiles;
import io.compactor.actors.compaction.SupervisorProtocol;
import io.compactor.actors.segcompaction.SegcompactionService;
import io.compactor.scheduler.CompactionConfig;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a tablet needs to compact: the supervisor to report to, the merge threads, the profile
 * store and the current scheduler settings (they change at runtime); and segment compaction for
 * its loads; and the peer replicas (single-replica compaction fetches from them).
 */
public record CompactionEnv(ActorRef<SupervisorProtocol.Command> supervisor, Executor executor,
                            CompactionProfiles profiles, Supplier<CompactionConfig> config,
                            SegcompactionService segcompaction, io.compactor.actors.replica.PeerSync peers) {
}
