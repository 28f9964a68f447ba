package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Doris BE endpoints around stream load: the error log of rejected rows ({@code ErrorURL}). */
final class DorisRoutes {
    private final Compactor node;

    DorisRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return path(segment("api").slash("_load_error_log"), () -> get(() -> parameterOptional("file",
                file -> complete(errorLog(file.orElse(""))))));
    }

    private HttpResponse errorLog(String file) {
        return node.loads().errorLog(file)
                .map(text -> HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8,
                        text.getBytes(StandardCharsets.UTF_8)))
                .orElseGet(() -> Json.fail(StatusCodes.NOT_FOUND, "no error log '" + file + "'"));
    }
}
