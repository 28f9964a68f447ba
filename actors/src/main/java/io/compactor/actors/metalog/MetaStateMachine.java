package io.compactor.actors.metalog;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the meta log: applies entries to a {@link MetaState}, answers
 * questions from it, and keeps snapshots (one gzipped JSON file, the {@link MetaSnapshot.Snapshot}, in
 * Ratis's simple state machine storage) so the log is purged up to them.
 *
 * <p>Lifecycle: {@link #initialize} loads the newest snapshot and Ratis replays the log after it.
 * When a voter falls behind a purged log the leader sends it its snapshot file; Ratis then calls
 * {@link #reinitialize}, which re-reads the storage directory and replaces the whole state with the
 * installed snapshot's (nothing of the old state survives it).
 */
final class MetaStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final MetaState state = new MetaState();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    MetaState state() {
        return state;
    }

    void onApplied(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            load(storage.loadLatestSnapshot());
        });
    }

    /**
     * Ratis pauses the state machine before it writes an installed snapshot's chunks and reloads it
     * afterwards only from PAUSED (its updater asserts that state): without this transition a voter
     * that needed the leader's snapshot stopped itself ("StateMachineUpdater caught a Throwable").
     */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null || !Files.exists(snapshot.getFile().getPath())) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        MetaSnapshot.Snapshot s;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file.toPath())))) {
            s = MetaCodec.read(in, MetaSnapshot.Snapshot.class);
        }
        state.restore(s);
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("meta log state loaded from snapshot {} ({} tables)", snapshot.getTermIndex(), s.tables().size());
        listeners.forEach(Runnable::run);
    }

    @Override
    public long takeSnapshot() throws IOException {
        MetaSnapshot.Snapshot s;
        TermIndex last;
        // The state and its index together: no entry is applied while the copy is taken.
        synchronized (state) {
            last = getLastAppliedTermIndex();
            s = state.snapshot();
        }
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(file.getParentFile(), file.getName() + ".tmp");
        try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp.toPath())))) {
            MetaCodec.write(out, s);
        }
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        RaftProtos.LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        MetaReply reply;
        synchronized (state) {
            try {
                MetaCommand c = MetaCodec.decode(data, MetaCommand.class);
                // A question sent through the log (a read barrier) is answered where it lands.
                reply = c.isQuery() ? state.query(c) : state.apply(c);
            } catch (RuntimeException e) {
                reply = MetaReply.error("INVALID_ARGUMENT", "entry " + entry.getIndex() + " not applied: " + e);
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        listeners.forEach(Runnable::run);
        return CompletableFuture.completedFuture(Message.valueOf(
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(MetaCodec.encode(reply))));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        MetaReply reply;
        try {
            MetaCommand c = MetaCodec.decode(request.getContent().toByteArray(), MetaCommand.class);
            reply = c.isQuery() ? state.query(c) : MetaReply.error("INVALID_ARGUMENT", "an entry is not a question");
        } catch (RuntimeException e) {
            reply = MetaReply.error("INVALID_ARGUMENT", "question not answered: " + e);
        }
        return CompletableFuture.completedFuture(Message.valueOf(
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(MetaCodec.encode(reply))));
    }
}
