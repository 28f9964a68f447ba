package io.compactor.actors.cluster;

import io.compactor.api.NodeInfo;
import io.compactor.storage.util.StatusCode;
import io.compactor.actors.catalog.Catalog;
import io.compactor.actors.catalog.CatalogView;
import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
 * One per node in cluster mode, registered with the (cluster) receptionist under {@link #KEY}:
 * answers {@link GetNodeInfo} with this node's {@link NodeInfo}, and carries the cluster
 * catalog's decisions to this node's {@link Catalog} ({@link AdoptTable}, {@link DropTable}) and
 * this node's tables back ({@link ListTables}). Messages cross nodes as CBOR; tables travel in
 * the meta store's JSON form.
 */
public final class NodeDirectory extends AbstractBehavior<NodeDirectory.Command> {
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "compactor-node-directory");

    public sealed interface Command extends CborSerializable
            permits GetNodeInfo, AdoptTable, DropTable, ListTables, Done {
    }

    /** Asks for the node's current {@link NodeInfo}. */
    public record GetNodeInfo(ActorRef<NodeInfo> replyTo) implements Command {
    }

    /** Store this table (create this node's replicas of it, or take its new properties). */
    public record AdoptTable(byte[] table, ActorRef<DdlAck> replyTo) implements Command {
    }

    /** Drop the table with this id. */
    public record DropTable(long tableId, ActorRef<DdlAck> replyTo) implements Command {
    }

    public record ListTables(ActorRef<TableList> replyTo) implements Command {
    }

    public record DdlAck(String node, StatusCode code, String msg) implements CborSerializable {
    }

    /**
     * The node's tables, and the tables dropped cluster-wide that it knows of: table id to the
     * highest tablet id it had (ids are never handed out again).
     */
    public record TableList(String node, List<byte[]> tables, java.util.Map<Long, Long> dropped)
            implements CborSerializable {
    }

    private record Done(Runnable reply) implements Command {
    }

    private final ActorContext<Command> ctx;
    private final Supplier<NodeInfo> info;
    private final ActorRef<Catalog.Command> catalog;
    private final AtomicReference<CatalogView> view;
    private final String self;

    private NodeDirectory(ActorContext<Command> ctx, Supplier<NodeInfo> info, ActorRef<Catalog.Command> catalog,
                          AtomicReference<CatalogView> view, String self) {
        super(ctx);
        this.ctx = ctx;
        this.info = info;
        this.catalog = catalog;
        this.view = view;
        this.self = self;
    }

    public static Behavior<Command> create(Supplier<NodeInfo> info, ActorRef<Catalog.Command> catalog,
                                           AtomicReference<CatalogView> view, String self) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
            return new NodeDirectory(ctx, info, catalog, view, self);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(GetNodeInfo.class, m -> {
                    m.replyTo().tell(info.get());
                    return this;
                })
                .onMessage(AdoptTable.class, this::onAdopt)
                .onMessage(DropTable.class, m -> {
                    ctx.ask(Catalog.DdlResult.class, catalog, Duration.ofSeconds(20),
                            r -> new Catalog.DropTableById(m.tableId(), r),
                            (res, err) -> new Done(() -> m.replyTo().tell(ack(res, err))));
                    return this;
                })
                .onMessage(ListTables.class, m -> {
                    m.replyTo().tell(new TableList(self, view.get().tables().stream()
                            .map(MetaJson::encodeTable).toList(), java.util.Map.copyOf(view.get().droppedTables())));
                    return this;
                })
                .onMessage(Done.class, m -> {
                    m.reply().run();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onAdopt(AdoptTable m) {
        TableMeta table;
        try {
            table = MetaJson.decodeTable(m.table());
        } catch (RuntimeException e) {
            m.replyTo().tell(new DdlAck(self, StatusCode.INVALID_ARGUMENT, "table does not decode: " + e.getMessage()));
            return this;
        }
        ctx.ask(Catalog.DdlResult.class, catalog, Duration.ofSeconds(20), r -> new Catalog.AdoptTable(table, self, r),
                (res, err) -> new Done(() -> m.replyTo().tell(ack(res, err))));
        return this;
    }

    private DdlAck ack(Catalog.DdlResult res, Throwable err) {
        if (res == null) {
            return new DdlAck(self, StatusCode.INTERNAL_ERROR, "catalog did not answer: " + err);
        }
        return new DdlAck(self, res.status().code(), res.status().msg());
    }
}
