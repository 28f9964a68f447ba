package io.compactor.api;

import io.compactor.storage.config.ConfigKey;
import java.util.List;

/**
 * Node-level configuration keys (defaults and documentation in actors' reference.conf); the cluster
 * mode keys are {@code ClusterKeys}. {@code Compactor.ops().configKeys()} lists every module's.
 */
public final class NodeKeys {
    private NodeKeys() {
    }

    public static final ConfigKey<String> WEBSERVER_HOST =
            ConfigKey.string("webserver_host", false, s -> !s.isBlank(), "a host name or address");
    public static final ConfigKey<Long> WEBSERVER_PORT = ConfigKey.int64("webserver_port", false, 0, 65535);
    public static final ConfigKey<String> HTTP_AUTH_USER =
            ConfigKey.string("http_auth_user", false, s -> !s.isBlank(), "a non-empty user name");
    public static final ConfigKey<String> HTTP_AUTH_PASSWORD =
            ConfigKey.string("http_auth_password", false, s -> true, "any string");
    public static final ConfigKey<Boolean> ENABLE_DEBUG_POINTS = ConfigKey.bool("enable_debug_points", true);
    public static final ConfigKey<String> DOWNLOAD_TOKEN = ConfigKey.string("download_token", false,
            s -> s.isEmpty() || s.length() >= 16, "empty (downloads disabled) or at least 16 characters");
    public static final ConfigKey<Long> STREAM_LOAD_MAX_BODY_BYTES =
            ConfigKey.int64("streaming_load_max_mb", true, 1, 1 << 20);
    public static final ConfigKey<Long> LOAD_TIMEOUT_SECONDS = ConfigKey.int64("load_timeout_seconds", true, 1, 86400);
    public static final ConfigKey<Long> PRECOMMIT_TIMEOUT_SECONDS =
            ConfigKey.int64("stream_load_default_precommit_timeout_second", true, 1, 30L * 86400);
    public static final ConfigKey<Long> MAX_CONCURRENT_LOADS = ConfigKey.int64("max_concurrent_loads", true, 1, 100000);
    public static final ConfigKey<Long> MAX_CONCURRENT_READS = ConfigKey.int64("max_concurrent_reads", false, 1, 100000);


    public static final List<ConfigKey<?>> ALL = List.of(WEBSERVER_HOST, WEBSERVER_PORT, HTTP_AUTH_USER,
            HTTP_AUTH_PASSWORD, ENABLE_DEBUG_POINTS, STREAM_LOAD_MAX_BODY_BYTES, LOAD_TIMEOUT_SECONDS,
            PRECOMMIT_TIMEOUT_SECONDS,
            MAX_CONCURRENT_LOADS, MAX_CONCURRENT_READS, DOWNLOAD_TOKEN);
}
