package io.compactor.http;

import org.apache.pekko.actor.typed.ActorSystem;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import io.compactor.actors.Compactor;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Cluster mode: a tablet endpoint ({@code /api/compaction/run|show|run_status|profile},
 * {@code /api/check_tablet}, {@code /api/delete_bitmap/count_local}) asked about a tablet that has
 * no replica on this node is passed on, as it is, to a reachable node holding one, and that node's
 * answer comes back (header {@code X-Compactor-Served-By}). So any node answers for any tablet;
 * a tablet no table places anywhere still gets Doris's "Tablet not found". A forwarded request is
 * never forwarded again.
 */
final class TabletForwarding {
    static final String FORWARDED = "X-Compactor-Forwarded-By";
    static final String SERVED_BY = "X-Compactor-Served-By";
    private static final Set<String> PATHS = Set.of("/api/compaction/run", "/api/compaction/show",
            "/api/compaction/run_status", "/api/compaction/profile", "/api/check_tablet",
            "/api/delete_bitmap/count_local", "/api/compaction/cancel", "/api/compaction/explain");

    private TabletForwarding() {
    }

    static Route wrap(Compactor node, ActorSystem<Void> http, Route inner) {
        if (!node.cluster().enabled()) {
            return inner;
        }
        return extractRequest(req -> {
            String path = req.getUri().path();
            if (!PATHS.contains(path) || req.getHeader(FORWARDED).isPresent()) {
                return inner;
            }
            Optional<String> id = req.getUri().query().get("tablet_id");
            Long tabletId = id.map(CompactionRoutes::parseId).orElse(null);
            if (tabletId == null || node.tables().isLocal(tabletId)) {
                return inner;
            }
            String target = node.cluster().replicaHttpAddress(tabletId);
            if (target == null) {
                return inner;
            }
            HttpRequest forward = req.withUri(Uri.create("http://" + target + path
                            + req.getUri().rawQueryString().map(q -> "?" + q).orElse("")))
                    .removeHeader("Host")
                    .addHeader(RawHeader.create(FORWARDED, node.cluster().self()));
            return completeWithFuture(Http.get(http).singleRequest(forward)
                    .thenApply(r -> r.addHeader(RawHeader.create(SERVED_BY, target))));
        });
    }
}
