package io.compactor.http;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeKeys;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;

/**
 * The request handler the server binds: {@code GET /api/health} and {@code GET /metrics} are
 * answered here, before the route tree, so an overloaded node still answers them at once. Health
 * is one prebuilt, immutable response (no routing, no allocation, no lock, no thread hop);
 * metrics are rendered on their own one-thread dispatcher ({@value #DISPATCHER}), which load and
 * compaction work never queue on, and read only lock-free counters. With an operator password set,
 * {@code /metrics} takes the normal (authenticated) route; health never needs auth. Everything
 * else goes to the routes.
 */
final class OpsFastPath implements Function<HttpRequest, CompletionStage<HttpResponse>> {
    /** The dispatcher {@code /metrics} is rendered on (configured in the http module's reference.conf). */
    static final String DISPATCHER = "compactor.ops-dispatcher";

    private static final long serialVersionUID = 1L;

    private final transient Compactor node;
    private final transient Function<HttpRequest, CompletionStage<HttpResponse>> routes;
    private final transient Executor ops;
    private final transient CompletableFuture<HttpResponse> health;
    private final boolean metricsOpen;

    private final transient ActorSystem<Void> http;

    OpsFastPath(Compactor node, ActorSystem<Void> http, Function<HttpRequest, CompletionStage<HttpResponse>> routes) {
        this.node = node;
        this.http = http;
        this.routes = routes;
        this.ops = http.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER));
        this.health = CompletableFuture.completedFuture(OpsRoutes.health());
        this.metricsOpen = node.ops().config().get(NodeKeys.HTTP_AUTH_PASSWORD).isEmpty();
    }

    @Override
    public CompletionStage<HttpResponse> apply(HttpRequest req) throws Exception {
        if (req.method() == HttpMethods.GET) {
            String path = req.getUri().path();
            if (path.equals("/api/health")) {
                req.discardEntityBytes(http);
                return health;
            }
            if (metricsOpen && path.equals("/metrics")) {
                req.discardEntityBytes(http);
                return CompletableFuture.supplyAsync(() -> HttpResponse.create().withEntity(
                        ContentTypes.TEXT_PLAIN_UTF8, PrometheusMetrics.render(node).getBytes(StandardCharsets.UTF_8)), ops);
            }
        }
        return routes.apply(req);
    }
}
