package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** The simulator's only way to the node: its HTTP API (docs/API.md). Thread-safe. */
public final class NodeClient {
    /** An HTTP answer. */
    public record Response(String method, String path, int status, String body) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new NodeException(method + " " + path + " answered HTTP " + status + " with a body that is not JSON: "
                        + abbreviate(body));
            }
        }

        /** The {@code msg} of a JSON error body, else the body itself (shortened). */
        public String message() {
            try {
                JsonNode n = MAPPER.readTree(body);
                if (n != null && n.hasNonNull("msg")) {
                    return n.get("msg").asText();
                }
            } catch (IOException ignored) {
                // not JSON: show the text
            }
            return abbreviate(body);
        }
    }

    /** A failed call: transport error, or an answer the simulator can not use. */
    public static final class NodeException extends RuntimeException {
        public NodeException(String message) {
            super(message);
        }
    }

    /** The node answered 404 for an endpoint the scenario needs: it does not have it. */
    public static final class EndpointMissingException extends RuntimeException {
        public EndpointMissingException(String endpoint, String detail) {
            super("the node has no endpoint " + endpoint + " (HTTP 404: " + detail + ")");
        }
    }

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(10);

    private final URI base;
    private final HttpClient http;
    private final String authorization;

    public NodeClient(URI base, String user, String password) {
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.authorization = password == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public URI base() {
        return base;
    }

    public Response get(String path) {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), Map.of(), CALL_TIMEOUT);
    }

    public Response post(String path) {
        return send("POST", path, HttpRequest.BodyPublishers.noBody(), Map.of(), CALL_TIMEOUT);
    }

    public Response putJson(String path, Object body) {
        try {
            byte[] bytes = MAPPER.writeValueAsBytes(body);
            return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(bytes),
                    Map.of("Content-Type", "application/json"), CALL_TIMEOUT);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("can not write JSON body for " + path + ": " + e.getMessage(), e);
        }
    }

    public Response putData(String path, byte[] body, Map<String, String> headers) {
        return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(body), headers, LOAD_TIMEOUT);
    }

    /** GET that must answer 200 with JSON; a 404 means the endpoint is missing. */
    public JsonNode getJson(String path) {
        Response r = get(path);
        return ok(r, "GET " + stripQuery(path)).json();
    }

    /** Throws for a 404 (missing endpoint) or other non-200 answers. */
    public static Response ok(Response r, String endpoint) {
        if (r.status() == 404) {
            throw new EndpointMissingException(endpoint, r.message());
        }
        if (r.status() != 200) {
            throw new NodeException(r.method() + " " + r.path() + " answered HTTP " + r.status() + ": " + r.message());
        }
        return r;
    }

    private Response send(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers,
                          Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).method(method, body);
        headers.forEach(b::header);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(method, path, r.statusCode(), r.body());
        } catch (IOException e) {
            throw new NodeException(method + " " + base.resolve(path) + " failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(method + " " + path + " interrupted");
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the node running?)";
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    static String abbreviate(String s) {
        String t = s == null ? "" : s.strip().replace('\n', ' ');
        return t.length() <= 300 ? t : t.substring(0, 300) + "...";
    }
}
