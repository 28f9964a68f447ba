package io.compactor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** The cluster torture's client threads: loaders (unique and twin labels) and a reader. */
final class ClusterClients {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Share of loads whose label is sent through two nodes at once. */
    private static final double TWINS = 0.25;

    private final ClusterTorture torture;
    private final ClusterHistory history;
    private final ClusterHistory.Round round;
    private final SplittableRandom random;
    private final AtomicBoolean stop;

    ClusterClients(ClusterTorture torture, ClusterHistory history, ClusterHistory.Round round, SplittableRandom random,
                   AtomicBoolean stop) {
        this.torture = torture;
        this.history = history;
        this.round = round;
        this.random = random;
        this.stop = stop;
    }

    void loadLoop() {
        while (!stop.get()) {
            boolean twin = random.nextDouble() < TWINS;
            ClusterHistory.Load load = history.newLoad(twin ? 2 : 1);
            int a = torture.anyNode(random);
            if (twin) {
                round.twins.incrementAndGet();
                int b = (a + 1 + random.nextInt(2)) % 3;
                CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> load(a, load.seq));
                String second = load(b, load.seq);
                history.answered(load, first.join(), round);
                history.answered(load, second, round);
            } else {
                history.answered(load, load(a, load.seq), round);
            }
        }
    }

    /** The load's Status, or "no answer: ..." when the node did not answer (killed, stopped) or not with 200. */
    private String load(int node, int seq) {
        try {
            HttpResponse<String> r = torture.send(node, "PUT", "/api/" + ClusterTorture.DB + "/t/_stream_load",
                    ClusterHistory.body(seq), Map.of("label", ClusterHistory.label(seq)), Duration.ofSeconds(90));
            if (r.statusCode() != 200) {
                return "no answer: HTTP " + r.statusCode();
            }
            return JSON.readTree(r.body()).path("Status").asText("no answer: no Status");
        } catch (Exception e) {
            return "no answer: " + e.getClass().getSimpleName();
        }
    }

    void readLoop(Consumer<String> violation) {
        while (!stop.get()) {
            BitSet acked = history.ackedNow();
            BitSet failed = history.failedNow();
            int node = torture.anyNode(random);
            try {
                HttpResponse<String> r = torture.send(node, "GET", "/api/" + ClusterTorture.DB + "/t/_scan?format=csv",
                        null, Map.of(), Duration.ofSeconds(30));
                if (r.statusCode() != 200) {
                    round.readErrors.incrementAndGet();
                    continue;
                }
                round.reads.incrementAndGet();
                history.checkRead(ClusterHistory.countBySeq(r.body()), acked, failed, "node " + node, violation);
            } catch (Exception e) {
                round.readErrors.incrementAndGet();
            }
        }
    }
}
