package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.api.ClusterStatus;
import io.compactor.api.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/cluster}: the members and how many tablets each holds. In cluster mode every
 * member as this node sees it (members that did not answer in time have {@code "tablets": null}
 * and a note); in single-node mode the node itself as the only member.
 */
final class ClusterRoutes {
    private final Compactor node;

    ClusterRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return path(segment("api").slash("cluster"), () -> get(() -> node.cluster().enabled()
                ? onSuccess(node.cluster().status(), s -> complete(Json.ok(clusterBody(s))))
                : complete(Json.ok(singleBody(node.cluster().nodeInfo())))));
    }

    private static Map<String, Object> singleBody(NodeInfo self) {
        Map<String, Object> member = Json.obj("address", self.address(), "status", "Up", "reachable", true,
                "http", self.http(), "data_dirs", self.dataDirs(), "tablets", self.tablets());
        return Json.obj("status", "Success", "mode", "single", "members", List.of(member));
    }

    private static Map<String, Object> clusterBody(ClusterStatus s) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (ClusterStatus.Member m : s.members()) {
            Map<String, Object> o = Json.obj("address", m.address(), "status", m.status(), "reachable", m.reachable(),
                    "http", m.http(), "data_dirs", m.dataDirs(), "tablets", m.tablets());
            if (m.note() != null) {
                o.put("note", m.note());
            }
            members.add(o);
        }
        return Json.obj("status", "Success", "mode", "cluster", "self", s.self(), "leader", s.leader(),
                "members", members);
    }
}
