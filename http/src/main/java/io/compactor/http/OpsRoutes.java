package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.storage.config.CompactorConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Health, metrics and configuration endpoints. */
final class OpsRoutes {
    private final Compactor node;

    OpsRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("health"), () -> get(() -> complete(Json.ok(Json.obj("status", "OK"))))),
                path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(
                        ContentTypes.TEXT_PLAIN_UTF8,
                        PrometheusMetrics.render(node).getBytes(StandardCharsets.UTF_8))))),
                path(segment("api").slash("show_config"), () -> get(() -> parameterOptional("conf_item",
                        item -> complete(Json.ok(showConfig(item.orElse(null))))))),
                path(segment("api").slash("update_config"), () -> post(() -> parameterMap(this::updateConfig))));
    }

    private List<List<String>> showConfig(String item) {
        List<List<String>> out = new ArrayList<>();
        for (CompactorConfig.Entry e : node.ops().config().entries()) {
            if (item == null || item.isEmpty() || item.equals(e.name())) {
                out.add(List.of(e.name(), e.type(), e.value(), Boolean.toString(e.mutable())));
            }
        }
        return out;
    }

    /** Doris's answer: {@code {"status":"OK","msg":""}} or {@code {"status":"BAD","msg":...}}. */
    private Route updateConfig(Map<String, String> params) {
        if (params.isEmpty()) {
            return complete(Json.response(StatusCodes.BAD_REQUEST,
                    Json.obj("status", "BAD", "msg", "no config given: use ?<key>=<value>")));
        }
        for (var e : params.entrySet()) {
            if (e.getKey().equals("persist")) {
                continue;
            }
            try {
                node.ops().config().update(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                return complete(Json.response(StatusCodes.BAD_REQUEST, Json.obj("status", "BAD",
                        "msg", "set " + e.getKey() + "=" + e.getValue() + " failed, reason: " + ex.getMessage())));
            }
        }
        return complete(Json.ok(Json.obj("status", "OK", "msg", "")));
    }
}
