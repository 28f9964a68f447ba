package io.compactor.storage.load;

import java.util.List;
import java.util.Objects;

/**
 * How a JSON body is read, from Doris's stream-load headers.
 *
 * @param jsonPaths       {@code jsonpaths}: one path per input column ({@code $.a.b}, {@code $.a[0]},
 *                        {@code $['a']}); the i-th path feeds the i-th column of {@code columns} (or
 *                        of the table); empty: fields are matched to columns by name
 * @param jsonRoot        {@code json_root}: the path of the node that holds the rows, or null for the
 *                        document itself
 * @param stripOuterArray {@code strip_outer_array}: true, false, or null when the header is absent
 * @param readJsonByLine  {@code read_json_by_line}: true, false, or null when the header is absent
 * @param numAsString     {@code num_as_string}: numbers are converted from their text, as strings are
 */
public record JsonOptions(List<JsonPath> jsonPaths, JsonPath jsonRoot, Boolean stripOuterArray,
                          Boolean readJsonByLine, boolean numAsString) {

    public static final JsonOptions DEFAULTS = new JsonOptions(List.of(), null, null, null, false);

    public JsonOptions {
        jsonPaths = List.copyOf(Objects.requireNonNull(jsonPaths, "jsonPaths"));
    }

    /**
     * Whether the body (or each line) is one document per row source that is read as a tree:
     * jsonpaths or json_root need the whole document, not a token stream.
     */
    public boolean needsTree() {
        return !jsonPaths.isEmpty() || jsonRoot != null;
    }
}
