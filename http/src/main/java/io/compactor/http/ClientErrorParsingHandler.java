package io.compactor.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to route (bad request line, unknown method, unsupported HTTP
 * version, oversized URI or headers) with a JSON body. Pekko answers some of these with 501 or
 * 505; a malformed request is the client's fault, so those become 405 (unknown method) or 400:
 * the node never answers 5xx for anything a client sent (docs/API.md). Installed by
 * {@code pekko.http.server.parsing.error-handler} in this module's reference.conf.
 */
public final class ClientErrorParsingHandler extends ParsingErrorHandler {
    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        int code = status.intValue();
        var answer = code == 501 ? StatusCodes.METHOD_NOT_ALLOWED
                : code >= 500 ? StatusCodes.BAD_REQUEST : StatusCodes.get(code);
        String msg = info.summary().isEmpty() ? status.reason() : info.summary();
        log.debug("malformed request answered {}: {}", answer.intValue(), msg);
        return Json.fail(answer, msg);
    }
}
