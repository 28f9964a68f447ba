package io.compactor.actors.metalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's replicated meta and transaction log, Apache Ratis (Raft) over its Netty transport,
 * embedded in the node. A fixed set of voters (1 to 5, named at formation) each run a Raft server
 * with a {@link MetaStateMachine}; every node, voter or not, talks to the group through a Raft
 * client: {@link #submit} appends an entry (answered once a majority of voters hold it and it is
 * applied), {@link #ask} answers a question with a linearizable read (the leader confirms it still
 * leads before answering), and a voter may read its own applied copy with {@link #local}.
 *
 * <p>The log lives under {@code <storage root>/meta_log}; a snapshot is taken every
 * {@code snapshotEvery} entries and the log is purged up to it, so it stays bounded. A voter that
 * comes back with an empty directory (same address) gets the leader's snapshot and the entries
 * after it.
 */
public final class MetaLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaLog.class);
    /** The one Raft group of a cluster. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("compactor-meta-log".getBytes(StandardCharsets.UTF_8)));

    /** A voter's Raft address. */
    public record Peer(String host, int port) {
        RaftPeerId id() {
            return RaftPeerId.valueOf("meta-" + host.replaceAll("[^A-Za-z0-9]", "-") + "-" + port);
        }

        RaftPeer raftPeer() {
            String h = host.startsWith("[") ? host : host.contains(":") ? "[" + host + "]" : host;
            return RaftPeer.newBuilder().setId(id()).setAddress(h + ":" + port).build();
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * @param voters        the voters' Raft addresses (1 to 5)
     * @param self          this node's Raft address if it is a voter, else null
     * @param dir           where this voter keeps the log and snapshots
     * @param snapshotEvery entries between snapshots
     * @param election      the shortest election timeout (the longest is twice it)
     * @param segmentBytes  the size at which a log segment is closed; only closed segments are purged
     */
    public record Settings(List<Peer> voters, Peer self, Path dir, long snapshotEvery, Duration election,
                           long segmentBytes) {
        /** Log segments of 4 MB. */
        public Settings(List<Peer> voters, Peer self, Path dir, long snapshotEvery, Duration election) {
            this(voters, self, dir, snapshotEvery, election, 4L << 20);
        }

        public Settings {
            if (segmentBytes < 1024) {
                throw new IllegalArgumentException("meta log segments must be at least 1024 bytes, got " + segmentBytes);
            }
            voters = List.copyOf(voters);
            if (voters.isEmpty() || voters.size() > 5) {
                throw new IllegalArgumentException("the meta log needs 1 to 5 voters, got " + voters.size());
            }
            if (self != null && !voters.contains(self)) {
                throw new IllegalArgumentException(self + " is not one of the voters " + voters);
            }
        }
    }

    private final Settings settings;
    private final RaftGroup group;
    private final MetaStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient client;
    /** Read-only requests to the leader: no retries (a failure falls back to a read through the log). */
    private final RaftClient readClient;
    private final ExecutorService calls;

    private MetaLog(Settings settings, RaftGroup group, MetaStateMachine sm, RaftServer server, RaftClient client,
                    RaftClient readClient) {
        this.settings = settings;
        this.group = group;
        this.stateMachine = sm;
        this.server = server;
        this.client = client;
        this.readClient = readClient;
        AtomicInteger n = new AtomicInteger();
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "meta-log-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts this node's part: its Raft server if it is a voter, and its client. */
    public static MetaLog start(Settings settings) throws IOException {
        List<RaftPeer> peers = new ArrayList<>();
        for (Peer p : settings.voters()) {
            peers.add(p.raftPeer());
        }
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
        RaftProperties props = properties(settings);
        MetaStateMachine sm = null;
        RaftServer server = null;
        if (settings.self() != null) {
            Files.createDirectories(settings.dir());
            RaftServerConfigKeys.setStorageDir(props, List.of(settings.dir().toFile()));
            NettyConfigKeys.Server.setHost(props, settings.self().host());
            NettyConfigKeys.Server.setPort(props, settings.self().port());
            sm = new MetaStateMachine();
            server = RaftServer.newBuilder().setServerId(settings.self().id()).setGroup(group)
                    .setStateMachine(sm).setProperties(props).setOption(RaftStorage.StartupOption.RECOVER).build();
            server.start();
            LOG.info("meta log voter {} started (voters {}, dir {})", settings.self(), settings.voters(),
                    settings.dir());
        }
        RaftClient client = RaftClient.newBuilder().setProperties(props).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(15,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
        RaftClient readClient = RaftClient.newBuilder().setProperties(props).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.noRetry()).build();
        return new MetaLog(settings, group, sm, server, client, readClient);
    }

    private static RaftProperties properties(Settings s) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        long min = Math.max(150, s.election().toMillis());
        // A loaded machine pauses threads for hundreds of ms: elections wait longer than Raft's usual 150 ms.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(Math.max(3000, 3 * min),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setSlownessTimeout(p, TimeDuration.valueOf(120, TimeUnit.SECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(p, TimeDuration.valueOf(10, TimeUnit.SECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, s.snapshotEvery()));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, s.snapshotEvery())));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(s.segmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(1L << 20, s.segmentBytes())));
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(Math.max(3000, 3 * min),
                TimeUnit.MILLISECONDS));
        return p;
    }

    public Settings settings() {
        return settings;
    }

    /** Whether this node runs a voter. */
    public boolean isVoter() {
        return server != null;
    }

    /** Whether this node's voter leads the group now. */
    public boolean isLeader() {
        try {
            return server != null && server.getDivision(GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The voter's own applied copy of the state (possibly behind the leader's); empty on other nodes. */
    public Optional<MetaState> local() {
        return stateMachine == null ? Optional.empty() : Optional.of(stateMachine.state());
    }

    /** Index of the last entry this voter applied, -1 elsewhere. */
    public long appliedIndex() {
        return stateMachine == null || stateMachine.getLastAppliedTermIndex() == null ? -1
                : stateMachine.getLastAppliedTermIndex().getIndex();
    }

    /** Index of the first entry still in this voter's log (entries before it were purged), -1 elsewhere. */
    public long logStartIndex() {
        try {
            return server == null ? -1 : server.getDivision(GROUP_ID).getRaftLog().getStartIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Runs {@code listener} after each entry this voter applies (and after a snapshot is loaded). */
    public void onApplied(Runnable listener) {
        if (stateMachine != null) {
            stateMachine.onApplied(listener);
        }
    }

    /** Appends an entry; completes with the answer once it is committed and applied. */
    public CompletableFuture<MetaReply> submit(MetaCommand entry) {
        if (entry.isQuery()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a question is not an entry: " + entry));
        }
        byte[] bytes = MetaCodec.encode(entry);
        return CompletableFuture.supplyAsync(() -> call(() -> client.io().send(Message.valueOf(ByteString.copyFrom(bytes))),
                entry), calls);
    }

    /**
     * Answers a question with a linearizable read of the log's state. On a voter that knows the
     * leader: a read-only request to the leader (which confirms with a majority that it still leads
     * before it answers). Otherwise, or when that fails (the leader changed; Ratis's Netty transport
     * has no read-index from followers), the question goes through the log as an entry and is
     * answered where it lands in it.
     */
    public CompletableFuture<MetaReply> ask(MetaCommand question) {
        if (!question.isQuery()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("an entry is not a question: "
                    + question));
        }
        byte[] bytes = MetaCodec.encode(question);
        return CompletableFuture.supplyAsync(() -> {
            Message msg = Message.valueOf(ByteString.copyFrom(bytes));
            RaftPeerId leader = knownLeader();
            if (leader != null) {
                try {
                    RaftClientReply reply = readClient.io().sendReadOnly(msg, leader);
                    if (reply.isSuccess()) {
                        return MetaCodec.decode(reply.getMessage().getContent().toByteArray(), MetaReply.class);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("read-only question to {} failed ({}); asking through the log", leader, e.toString());
                }
            }
            return call(() -> client.io().send(msg), question);
        }, calls);
    }

    /**
     * Answers a question from this voter's own applied copy (possibly a little behind the leader:
     * for questions whose answers only grow, such as a committed load's version); on other nodes
     * the same as {@link #ask}.
     */
    public CompletableFuture<MetaReply> read(MetaCommand question) {
        if (stateMachine != null && question.isQuery()) {
            return CompletableFuture.completedFuture(stateMachine.state().query(question));
        }
        return ask(question);
    }

    private RaftPeerId knownLeader() {
        if (server == null) {
            return null;
        }
        try {
            return server.getDivision(GROUP_ID).getInfo().getLeaderId();
        } catch (IOException e) {
            return null;
        }
    }

    private interface Call {
        RaftClientReply run() throws IOException;
    }

    private static MetaReply call(Call c, MetaCommand what) {
        RaftClientReply reply;
        try {
            reply = c.run();
        } catch (IOException e) {
            throw new CompletionException(new MetaLogUnavailable("the meta log did not answer "
                    + what.getClass().getSimpleName() + ": " + e.getMessage(), e));
        }
        if (!reply.isSuccess()) {
            throw new CompletionException(new MetaLogUnavailable("the meta log refused "
                    + what.getClass().getSimpleName() + ": " + reply.getException(), reply.getException()));
        }
        return MetaCodec.decode(reply.getMessage().getContent().toByteArray(), MetaReply.class);
    }

    /** The log could not be reached (no leader, no majority of voters) or refused the call. */
    public static final class MetaLogUnavailable extends IOException {
        public MetaLogUnavailable(String msg, Throwable cause) {
            super(msg, cause);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
            readClient.close();
        } catch (IOException e) {
            LOG.warn("closing the meta log client failed: {}", e.toString());
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.warn("closing the meta log voter failed: {}", e.toString());
            }
        }
        calls.shutdownNow();
    }

    @Override
    public String toString() {
        return "meta log " + group.getGroupId() + " voters " + settings.voters()
                + (settings.self() == null ? " (client)" : " (voter " + settings.self() + ")");
    }
}
