package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.Compactor;
import io.compactor.api.NodeKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Compactor node with its HTTP API bound: the server that {@code bin/compactor server} runs and
 * that tests start on port 0. The HTTP layer runs on its own small actor system and reaches the
 * node only through the embedding facade ({@link Compactor}), like any other embedding program.
 */
public final class CompactorServer implements AutoCloseable {
    static {
        io.compactor.storage.util.CommonPool.ensureParallelism(); // before any CompletableFuture is used
    }

    private static final Logger LOG = LoggerFactory.getLogger(CompactorServer.class);

    private final Compactor node;
    private final ActorSystem<Void> http;
    private final ServerBinding binding;

    private CompactorServer(Compactor node, ActorSystem<Void> http, ServerBinding binding) {
        this.node = node;
        this.http = http;
        this.binding = binding;
    }

    public static CompactorServer start(Config config) {
        return start(config, Clock.systemUTC());
    }

    public static CompactorServer start(Config config, Clock clock) {
        Compactor node = Compactor.start(config, clock);
        ActorSystem<Void> http = null;
        try {
            // The node's cluster settings stay with the node: HTTP needs a local actor system only.
            http = ActorSystem.create(Behaviors.empty(), "compactor-http",
                    ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config.resolve()));
            String host = node.ops().config().get(NodeKeys.WEBSERVER_HOST);
            int port = node.ops().config().getInt(NodeKeys.WEBSERVER_PORT);
            ServerBinding b = Http.get(http).newServerAt(host, port).bind(new OpsFastPath(node, http, routes(node, http).handler(http)))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            node.cluster().advertiseHttp(host, b.localAddress().getPort());
            LOG.info("Compactor listening on http://{}:{}", host, b.localAddress().getPort());
            return new CompactorServer(node, http, b);
        } catch (Exception e) {
            if (http != null) {
                http.terminate();
            }
            node.close();
            throw new IllegalStateException("can not bind the HTTP server: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Every route of docs/API.md, behind auth when a password is set, errors as JSON. */
    public static Route routes(Compactor node, ActorSystem<Void> http) {
        Route api = concat(new OpsRoutes(node).route(), new ClusterRoutes(node).route(),
                new CompactionRoutes(node).route(), new OperatorRoutes(node).route(), DashboardRoutes.route(),
                new MowRoutes(node).route(), new TabletCheckRoutes(node).route(),
                new DownloadRoutes(node).route(), new DorisRoutes(node).route(), new DorisTabletRoutes(node).route(),
                DorisTabletRoutes.unknownEndpoints(), new TableRoutes(node).route());
        Route guarded = auth(node, TabletForwarding.wrap(node, http, api));
        return handleExceptions(exceptionHandler(), () -> handleRejections(rejectionHandler(), () -> guarded));
    }

    private static Route auth(Compactor node, Route inner) {
        String password = node.ops().config().get(NodeKeys.HTTP_AUTH_PASSWORD);
        if (password.isEmpty()) {
            return inner;
        }
        String user = node.ops().config().get(NodeKeys.HTTP_AUTH_USER);
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return extractUri(uri -> {
            // Peer endpoints authenticate peers by compactor.download_token (as Doris's download
            // action does), so nodes need no operator password to fetch from each other.
            // The dashboard's static files hold no data (the page asks for credentials and sends
            // them with every JSON request it makes), so a browser can load it without a prompt.
            if (uri.path().equals("/api/health") || uri.path().equals("/api/_tablet/_download")
                    || uri.path().equals("/api/_tablet/_download_files")
                    || uri.path().equals("/api/_tablet/_rowsets") || DashboardRoutes.isStatic(uri.path())) {
                return inner;
            }
            return optionalHeaderValueByName("Authorization", given -> {
                if (given.isPresent() && constantTimeEquals(given.get(), expected)) {
                    return inner;
                }
                HttpResponse denied = Json.fail(StatusCodes.UNAUTHORIZED, "authentication required");
                // The dashboard asks for credentials itself: no browser prompt for its requests.
                return headerValueByName("X-Compactor-Dashboard", d -> complete(denied)).orElse(complete(denied
                        .addHeader(RawHeader.create("WWW-Authenticate", "Basic realm=\"compactor\""))));
            });
        });
    }

    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static ExceptionHandler exceptionHandler() {
        return ExceptionHandler.newBuilder()
                .match(IllegalArgumentException.class, e -> complete(Json.fail(StatusCodes.BAD_REQUEST, e.getMessage())))
                // A body over its size limit, or one that ends mid-chunk: the client's fault, not ours.
                .match(org.apache.pekko.http.scaladsl.model.EntityStreamSizeException.class,
                        e -> complete(Json.fail(StatusCodes.PAYLOAD_TOO_LARGE, e.getMessage())))
                .match(org.apache.pekko.http.scaladsl.model.EntityStreamException.class,
                        e -> complete(Json.fail(StatusCodes.BAD_REQUEST, e.getMessage())))
                .match(org.apache.pekko.http.scaladsl.model.IllegalRequestException.class,
                        e -> complete(Json.fail(StatusCodes.BAD_REQUEST, e.getMessage())))
                .matchAny(e -> {
                    LOG.error("request failed", e);
                    return complete(Json.fail(StatusCodes.INTERNAL_SERVER_ERROR,
                            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                })
                .build();
    }

    /** Pekko's default rejections (404, 405, 413 ...) with their status codes, as JSON bodies. */
    private static RejectionHandler rejectionHandler() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(resp -> {
            if (resp.entity() instanceof HttpEntity.Strict strict) {
                String text = strict.getData().utf8String();
                return Json.fail(resp.status(), text);
            }
            return resp;
        });
    }

    public Compactor node() {
        return node;
    }

    public int port() {
        InetSocketAddress a = binding.localAddress();
        return a.getPort();
    }

    /** Unbinds (in-flight requests get a few seconds), stops the node and closes its storage. */
    @Override
    public void close() {
        try {
            binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("HTTP unbind did not finish cleanly: {}", e.toString());
        }
        node.close();
        http.terminate();
        try {
            http.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("HTTP actor system did not stop cleanly: {}", e.toString());
        }
    }

    /** {@code bin/compactor server}: config from application.conf, system properties override. */
    public static void main(String[] args) {
        Config config = ConfigFactory.load();
        CompactorServer server;
        try {
            server = start(config);
        } catch (RuntimeException e) {
            System.err.println("compactor: failed to start: " + rootMessage(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            server.close();
        }, "compactor-shutdown"));
        System.out.println("compactor: node up on http://" + server.node().ops().config().get(NodeKeys.WEBSERVER_HOST) + ":"
                + server.port() + " (data: " + server.node().ops().config().get(
                io.compactor.storage.config.StorageKeys.STORAGE_ROOT_PATH) + ")");
    }
}
