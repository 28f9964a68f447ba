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
                path(segment("api").slash("health"), () -> get(() -> complete(health()))),
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

    /** Doris's health answer, byte for byte: {@code {"status": "OK","msg": "OK"}}. */
    static HttpResponse health() {
        return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
                "{\"status\": \"OK\",\"msg\": \"OK\"}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Doris's {@code update_config}: always HTTP 200 with one {@code {"config_name","status","msg"}}
     * per key, {@code status} "OK" or "BAD" with Doris's failure text; {@code persist=true} also
     * records the change in {@code be_custom.conf}, which the node reads at start.
     */
    private Route updateConfig(Map<String, String> params) {
        boolean persist = "true".equals(params.get("persist"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : params.entrySet()) {
            if (e.getKey().equals("persist")) {
                continue;
            }
            String key = e.getKey();
            String value = e.getValue();
            String failure = check(key, value);
            if (failure == null) {
                try {
                    node.ops().config().update(key, value);
                    if (persist) {
                        io.compactor.storage.config.CustomConfigFile.persist(node.ops().config(), key, value);
                    }
                } catch (IllegalArgumentException ex) {
                    failure = "[INVALID_ARGUMENT]" + ex.getMessage();
                } catch (java.io.UncheckedIOException ex) {
                    failure = "[IO_ERROR]" + ex.getMessage();
                }
            }
            out.add(Json.obj("config_name", key, "status", failure == null ? "OK" : "BAD", "msg",
                    failure == null ? "" : "set " + key + "=" + value + " failed, reason: " + failure));
        }
        return complete(Json.ok(out));
    }

    /** Doris's set_config refusals: an unknown key, an immutable one, a value of the wrong type. */
    private String check(String key, String value) {
        var config = node.ops().config();
        if (!config.has(key)) {
            return "[NOT_FOUND]'" + key + "' is not found";
        }
        for (CompactorConfig.Entry e : config.entries()) {
            if (e.name().equals(key)) {
                if (!e.mutable()) {
                    return "[NOT_IMPLEMENTED_ERROR]'" + key + "' is not support to modify";
                }
                boolean convertible = switch (e.type()) {
                    case "bool" -> value.equals("true") || value.equals("false");
                    case "int64_t" -> value.matches("-?\\d+");
                    case "double" -> value.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
                    default -> true;
                };
                if (!convertible) {
                    return "[INVALID_ARGUMENT]convert '" + value + "' as " + e.type() + " failed";
                }
            }
        }
        return null;
    }
}
