package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** How the driver hands one stream load to the node; over HTTP in a run, a fake in tests. */
@FunctionalInterface
public interface LoadTransport {
    /** How one load ended and the node's message (or the transport error). */
    record Answer(LoadStats.Outcome outcome, String message) {
    }

    /** Sends one load to {@code table}; never throws for a failed load (the answer says so). */
    Answer send(String table, byte[] body, Map<String, String> headers);

    /** {@code PUT /api/{db}/{table}/_stream_load}, classified by Doris's Status and Message. */
    static LoadTransport http(NodeClient client, String db) {
        return (table, body, headers) -> {
            try {
                NodeClient.Response r = client.putData("/api/" + db + "/" + table + "/_stream_load", body, headers);
                if (r.status() != 200) {
                    return new Answer(LoadStats.Outcome.ERROR, "HTTP " + r.status() + ": " + r.message());
                }
                JsonNode j = r.json();
                String message = j.path("Message").asText("");
                return new Answer(LoadStats.classify(j.path("Status").asText(""), message), message);
            } catch (RuntimeException e) {
                return new Answer(LoadStats.Outcome.ERROR, e.getMessage());
            }
        };
    }
}
