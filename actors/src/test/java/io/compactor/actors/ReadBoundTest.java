package io.compactor.actors;

import io.compactor.storage.util.StatusCode;
import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.load;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.compactor.api.LoadResult;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads are bounded by max_concurrent_reads: excess reads get a busy answer, none queue without bound. */
class ReadBoundTest {
    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void readBeyondTheLimitIsAnsweredBusyAndTheSlotComesBack() {
        node = TestNode.start(dir, Map.of("max_concurrent_reads", 1, "enable_debug_points", true));
        createTable(node, "r", KeysType.DUPLICATE_KEYS, 2);
        assertEquals(LoadResult.SUCCESS, load(node, "r", "1\t1\ta\n2\t2\tb\n", "r1").status());

        node.ops().debugPoints().add("read.block", -1, -1, Map.of());
        CompletableFuture<Long> held = node.reads().count(DB, "r").toCompletableFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            CompletableFuture<Long> second = node.reads().count(DB, "r").toCompletableFuture();
            return second.isCompletedExceptionally()
                    && StatusException.statusOf(second.handle((v, e) -> e).join()).is(StatusCode.SERVICE_UNAVAILABLE);
        });
        assertFalse(held.isDone(), "the first read still holds the only slot");
        node.ops().debugPoints().remove("read.block");
        assertEquals(2L, join(held));
        assertEquals(2L, join(node.reads().count(DB, "r")), "the slot came back");
    }
}
