package io.compactor.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** JSON answers: one shared mapper, key order as built (Doris's bodies are ordered). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setDefaultPrettyPrinter(dorisPrinter());

    /**
     * RapidJSON's PrettyWriter, which Doris BE answers with: four-space indent, {@code "key": value},
     * arrays one element a line, {@code []} and {@code {}} when empty, {@code \n} line ends.
     * Doris's regression suites match these bodies by text.
     */
    static DefaultPrettyPrinter dorisPrinter() {
        DefaultIndenter indent = new DefaultIndenter("    ", "\n");
        DefaultPrettyPrinter p = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""));
        p.indentObjectsWith(indent);
        p.indentArraysWith(indent);
        return p;
    }

    private Json() {
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("can not serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public static HttpResponse response(StatusCode code, Object body) {
        return HttpResponse.create().withStatus(code).withEntity(ContentTypes.APPLICATION_JSON, bytes(body));
    }

    public static HttpResponse ok(Object body) {
        return response(StatusCodes.OK, body);
    }

    /** Our endpoints' error: {@code {"status":"Fail","msg":...}} with a 4xx code. */
    public static HttpResponse fail(StatusCode code, String msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "Fail");
        m.put("msg", msg);
        return response(code, m);
    }

    /** Doris-style error: HTTP 200 with {@code {"status":CODE,"msg":...}}. */
    public static HttpResponse doris(io.compactor.storage.util.Status status) {
        return doris(status.code(), status.msg());
    }

    /** Doris-style error: HTTP 200 with {@code {"status":CODE,"msg":...}}. */
    public static HttpResponse doris(io.compactor.storage.util.StatusCode code, String msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", code.text());
        m.put("msg", msg);
        return response(StatusCodes.OK, m);
    }

    public static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
