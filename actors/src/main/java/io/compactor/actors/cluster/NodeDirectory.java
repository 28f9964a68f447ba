package io.compactor.actors.cluster;

import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One per node in cluster mode: registers with the (cluster) receptionist under {@link #KEY} and
 * answers {@link GetNodeInfo} with this node's {@link NodeInfo}, read fresh on every question.
 * Messages cross nodes as CBOR.
 */
public final class NodeDirectory extends AbstractBehavior<NodeDirectory.Command> {
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "compactor-node-directory");

    public sealed interface Command extends CborSerializable permits GetNodeInfo {
    }

    /** Asks for the node's current {@link NodeInfo}. */
    public record GetNodeInfo(ActorRef<NodeInfo> replyTo) implements Command {
    }

    private final Supplier<NodeInfo> info;

    private NodeDirectory(ActorContext<Command> ctx, Supplier<NodeInfo> info) {
        super(ctx);
        this.info = info;
    }

    public static Behavior<Command> create(Supplier<NodeInfo> info) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
            return new NodeDirectory(ctx, info);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(GetNodeInfo.class, this::onGetNodeInfo).build();
    }

    private Behavior<Command> onGetNodeInfo(GetNodeInfo m) {
        m.replyTo().tell(info.get());
        return this;
    }
}
