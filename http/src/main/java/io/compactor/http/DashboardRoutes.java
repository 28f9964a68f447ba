package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The live dashboard: one static page with its script and style, served from the jar at {@code /}
 * and {@code /dashboard} (no build step, nothing fetched from outside). The page polls the JSON
 * endpoints every 1.5 s; the files themselves hold no data, so they are served without auth and the
 * page sends the operator's credentials with each JSON request.
 */
final class DashboardRoutes {
    private static final Map<String, Asset> ASSETS = Map.of(
            "index.html", load("index.html", ContentTypes.TEXT_HTML_UTF8),
            "app.js", load("app.js", MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8)),
            "style.css", load("style.css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8)));

    private record Asset(byte[] bytes, ContentType type) {
    }

    private DashboardRoutes() {
    }

    private static Asset load(String name, ContentType type) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard/" + name + " is missing from the jar");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the path is one of the dashboard's static files (served without auth). */
    static boolean isStatic(String path) {
        return path.equals("/") || path.equals("/dashboard") || path.equals("/dashboard/")
                || path.startsWith("/dashboard/") && ASSETS.containsKey(path.substring("/dashboard/".length()));
    }

    private static Route serve(String name) {
        Asset a = ASSETS.get(name);
        return complete(HttpResponse.create().withEntity(HttpEntities.create(a.type(), a.bytes()))
                .addHeader(RawHeader.create("Cache-Control", "no-cache")));
    }

    static Route route() {
        // path first, then the method: a method directive that passes cancels the 405 of other routes
        return concat(
                pathSingleSlash(() -> get(() -> serve("index.html"))),
                path("dashboard", () -> get(() -> serve("index.html"))),
                path(segment("dashboard").slash(PathMatchers.segment()), name -> ASSETS.containsKey(name)
                        ? get(() -> serve(name)) : reject()));
    }
}
