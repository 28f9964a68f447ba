package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeKeys;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/** Doris's {@code POST /api/check_tablet_segment_lost[?repair=true|false]}. */
final class TabletCheckRoutes {
    private final Compactor node;

    TabletCheckRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return path(segment("api").slash("check_tablet_segment_lost"), () -> post(() -> parameterMap(this::check)));
    }

    private Route check(Map<String, String> p) {
        String repairText = p.getOrDefault("repair", "");
        boolean repair;
        if (repairText.isEmpty() || repairText.equals("false")) {
            repair = false;
        } else if (repairText.equals("true")) {
            repair = true;
        } else {
            return complete(Json.ok(Json.obj("status", "Fail",
                    "msg", "Parameter 'repair' must be set to 'true' or 'false'")));
        }
        String host = node.ops().config().get(NodeKeys.WEBSERVER_HOST);
        return completeWithFuture(node.reads().checkSegmentLost(repair).handle((r, err) -> {
            if (err != null) {
                Status s = StatusException.statusOf(err);
                return Json.doris(s);
            }
            return Json.ok(Json.obj("status", "Success", "msg", "Succeed to check all tablet segment",
                    "num", r.badTablets().size(), "bad_tablets", r.badTablets().keySet().stream().sorted().toList(),
                    "set_bad", Boolean.toString(repair), "host", host));
        }));
    }
}
