import MatchworkCore
import MatchworkServer
import Testing

@Suite("Service configuration")
struct ConfigurationTests {
    @Test("values are parsed with units and defaults")
    func parses() throws {
        var c = ServerConfiguration()
        #expect(c.cacheTTL == 3600 && c.port == 8080 && c.recommendationMode == .ensemble)
        try c.apply("cache_ttl", "15m", source: "MATCHWORK_CACHE_TTL")
        try c.apply("port", "0", source: "--port")
        try c.apply("database_url", "sqlite:/tmp/x.sqlite", source: "DATABASE_URL")
        try c.apply("recommendation_mode", "rule_based", source: "MATCHWORK_RECOMMENDATION_MODE")
        try c.apply("rate_limit", "0", source: "--rate-limit")
        try c.apply("log_level", "WARNING", source: "MATCHWORK_LOG_LEVEL")
        #expect(c.cacheWarm == 10_000)
        try c.apply("cache_warm", "0", source: "MATCHWORK_CACHE_WARM")
        #expect(c.cacheWarm == 0)
        #expect(c.freshWait == 1)
        try c.apply("fresh_wait", "250ms", source: "MATCHWORK_FRESH_WAIT")
        #expect(c.freshWait == 0.25)
        try c.apply("fresh_wait", "0", source: "MATCHWORK_FRESH_WAIT")
        #expect(c.freshWait == 0)
        #expect(c.idleTimeout == 60 && c.headerTimeout == 10 && c.maxConnections == 512 && c.eventClock.maximumSkew == 86_400)
        try c.apply("idle_timeout", "2m", source: "MATCHWORK_IDLE_TIMEOUT")
        try c.apply("header_timeout", "500ms", source: "MATCHWORK_HEADER_TIMEOUT")
        try c.apply("max_connections", "64", source: "MATCHWORK_MAX_CONNECTIONS")
        try c.apply("max_event_skew", "12h", source: "MATCHWORK_MAX_EVENT_SKEW")
        #expect(c.idleTimeout == 120 && c.headerTimeout == 0.5 && c.maxConnections == 64 && c.eventClock.maximumSkew == 43_200)
        #expect(throws: MatchworkError.self) { try c.apply("max_connections", "0", source: "MATCHWORK_MAX_CONNECTIONS") }
        #expect(throws: MatchworkError.self) { try c.apply("max_event_skew", "-1d", source: "MATCHWORK_MAX_EVENT_SKEW") }
        #expect(c.cacheTTL == 900 && c.port == 0 && c.storePath == "/tmp/x.sqlite" && c.recommendationMode == .ruleBased && c.rateLimit == nil && c.logLevel == .warning)
    }

    @Test(
        "a bad value names itself, its source and the fix",
        arguments: [
            ("port", "80800", "--port", "--port '80800' is not a port; use 0-65535."),
            ("cache_ttl", "soon", "MATCHWORK_CACHE_TTL", "MATCHWORK_CACHE_TTL 'soon' is not a cache lifetime; give seconds (3600) or 30s, 15m, 1h, up to 7 days, or 0 to disable the cache."),
            ("log_level", "loud", "MATCHWORK_LOG_LEVEL", "MATCHWORK_LOG_LEVEL 'loud' is not a log level; use trace, debug, info, notice, warning, error or critical."),
            ("database_url", "mysql://db", "DATABASE_URL", "DATABASE_URL 'mysql://db' is not a store URL; write sqlite:PATH (for example sqlite:/var/lib/matchwork/matchwork.sqlite)."),
            ("cache_warm", "-1", "MATCHWORK_CACHE_WARM", "MATCHWORK_CACHE_WARM '-1' is not a number of lists; give 0-10000000 (0 turns warming off)."),
            ("fresh_wait", "2 hours", "MATCHWORK_FRESH_WAIT", "MATCHWORK_FRESH_WAIT '2 hours' is not a wait; give 0-3600 seconds, or 500ms, 2s, 1m (0 answers at once with the serving engine)."),
            ("colour", "red", "config.json: colour", "config.json: colour is not a setting; the settings are host, port, store, database_url, model_path, log_level, cache_ttl, cache_capacity, cache_memory, store_cache, store_readers, served_list_retention, cache_warm, recommendation_mode, ensemble_weights, rate_limit, max_body_bytes, scoring_threads, refresh_interval, fresh_wait, idle_timeout, header_timeout, max_connections, served_list_backlog, max_event_skew."),
        ])
    func refuses(key: String, value: String, source: String, message: String) {
        var c = ServerConfiguration()
        do {
            try c.apply(key, value, source: source)
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.message == message)
            #expect(error.field == source)
        }
    }

    @Test("a PostgreSQL URL is refused with what to use instead")
    func postgres() {
        var c = ServerConfiguration()
        do {
            try c.apply("database_url", "postgres://u@h/db", source: "DATABASE_URL")
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("MATCHWORK_STORE"))
        }
    }
}
