package io.compactor.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A small java.net.http client for the tests: one base URL, answers with status, text and JSON. */
final class HttpTestClient {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;

    HttpTestClient(int port) {
        this(port, null);
    }

    HttpTestClient(int port, String authorization) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = authorization;
    }

    /** An answer: HTTP status and body text; {@link #json()} parses the body. */
    record Answer(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }

        String text(String field) {
            JsonNode n = json().get(field);
            if (n == null) {
                throw new AssertionError("no field '" + field + "' in " + body);
            }
            return n.asText();
        }
    }

    Answer get(String path) {
        return send("GET", path, null, Map.of());
    }

    Answer delete(String path) {
        return send("DELETE", path, null, Map.of());
    }

    Answer post(String path) {
        return send("POST", path, "", Map.of());
    }

    Answer put(String path, String body) {
        return send("PUT", path, body, Map.of());
    }

    Answer put(String path, String body, Map<String, String> headers) {
        return send("PUT", path, body, headers);
    }

    Answer send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A table body as docs/API.md documents it: {@code id BIGINT, v BIGINT, s VARCHAR(32)} keyed on id. */
    static String tableBody(String keysType, int buckets) {
        return "{\"keys_type\":\"" + keysType + "\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":" + buckets + ",\"replication_num\":1}";
    }
}
