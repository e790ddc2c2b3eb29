import Foundation
public import Logging
public import MatchworkCore
public import MatchworkStore

/// The service's settings, validated once at start.
///
/// Sources, lowest precedence first: the defaults, a JSON config file (`--config`), environment
/// variables (`MATCHWORK_*`, `DATABASE_URL`), then command-line flags. Each setting has one key
/// (`cache_ttl`), which is also its config-file member; ``Setting`` lists them with their
/// environment variables (`MODEL_PATH` and `LOG_LEVEL` are read too, as the learning service
/// names them; the `MATCHWORK_` one wins). An invalid value fails the start with a message that names the value
/// and where it came from.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host = "127.0.0.1"
    /// The port to listen on (0: any free port).
    public var port = 8080
    /// The embedded store's file.
    public var storePath = "matchwork.sqlite"
    /// The model registry directory (`nil`: `STORE.models` beside the store).
    public var modelPath: String?
    public var logLevel: Logger.Level = .info
    /// How long a recommendation list stays cached, in seconds (0: no cache). Default one hour.
    public var cacheTTL: Double = 3600
    /// At most this many lists are cached; the least recently used go first.
    public var cacheCapacity = 50_000
    /// The cached lists take at most about this many bytes (see ``ResultCache``).
    public var cacheMemory = 256 << 20
    /// The store's connections: page cache per connection and readers beside the writer.
    public var storeLimits = SQLiteStore.Limits.service
    /// Served lists older than this many seconds are deleted, every hour, unless an outcome or
    /// feedback refers to them (0: kept for ever). Default 90 days.
    public var servedListRetention: Double = 90 * 86_400
    /// After a start or a model switch, the cache is refilled in the background with at most
    /// this many lists: those it held, then the subjects served lately (0: no warming).
    public var cacheWarm = 10_000
    /// The mode used when a request names none.
    public var recommendationMode: RecommendationMode = .ensemble
    /// Ensemble weights over the scenario's, as for `recommend --ensemble-weights` (`LIST:NAME=W,…`).
    public var ensembleWeights: [String] = []
    /// Requests per minute per API key (`nil`: no limit); a key's own limit overrides it.
    public var rateLimit: Int?
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = 16 << 20
    /// Threads that score recommendations, off the request path (default: the machine's cores).
    public var scoringThreads = ProcessInfo.processInfo.activeProcessorCount
    /// After a write, the engine rebuilds from the store at most this often, in seconds;
    /// a request about a subject written since the last rebuild waits for the next one.
    public var refreshInterval: Double = 2
    /// How long a request about a subject written since the last build waits for a build that
    /// includes the write, in seconds; past it, the serving engine answers and the answer says
    /// `"stale": true`. Builds of small marketplaces take well under a second, so their callers
    /// read their own writes; a large one's build takes seconds, which no caller should wait.
    public var freshWait: Double = 1
    /// Events (and outcomes, feedback) dated more than this far ahead of the clock are refused.
    public var eventClock = EventClock()
    /// A connection with no request under way (after it opens, or after an answer) is closed
    /// after this many seconds (0: never).
    public var idleTimeout: Double = 60
    /// A request's head must be complete this many seconds after its first byte arrives.
    public var headerTimeout: Double = 10
    /// At most this many connections are open at once; more are answered 503 and closed.
    public var maxConnections = 512
    /// At most this many served lists wait to be written; behind a failing store (a full disk)
    /// recommendations are then answered 503 rather than served untracked.
    public var servedListBacklog = 20_000

    public init() {}

    /// One setting: its key (the config-file member), environment variable and flag.
    public struct Setting: Sendable, Hashable {
        public let key: String
        public let environment: String?
        /// Unprefixed variables a deployment of the learning service already sets
        /// (`MODEL_PATH`, `LOG_LEVEL`); read when ``environment`` is not set.
        public let aliases: [String]
        public let flag: String?
        public let help: String

        public init(key: String, environment: String?, aliases: [String] = [], flag: String?, help: String) {
            self.key = key
            self.environment = environment
            self.aliases = aliases
            self.flag = flag
            self.help = help
        }

        /// The variables read for this setting, the prefixed one first (it wins).
        public var variables: [String] { (environment.map { [$0] } ?? []) + aliases }

        /// The variable and value that set this setting in `environment`: the first of
        /// ``variables`` that is set and not empty.
        public func value(in environment: [String: String]) -> (variable: String, value: String)? {
            for variable in variables {
                if let value = environment[variable], !value.isEmpty { return (variable, value) }
            }
            return nil
        }

        public static let all: [Setting] = [
            Setting(key: "host", environment: "MATCHWORK_HOST", flag: "--host", help: "address to listen on (default 127.0.0.1)"),
            Setting(key: "port", environment: "MATCHWORK_PORT", flag: "--port", help: "port, 0-65535 (default 8080)"),
            Setting(key: "store", environment: "MATCHWORK_STORE", flag: "--store", help: "the embedded store's file (default matchwork.sqlite)"),
            Setting(key: "database_url", environment: "DATABASE_URL", flag: nil, help: "the store as a URL: sqlite:PATH"),
            Setting(key: "model_path", environment: "MATCHWORK_MODEL_PATH", aliases: ["MODEL_PATH"], flag: "--models", help: "the model registry directory (default STORE.models)"),
            Setting(key: "log_level", environment: "MATCHWORK_LOG_LEVEL", aliases: ["LOG_LEVEL"], flag: "--log-level", help: "trace, debug, info, notice, warning, error or critical (default info)"),
            Setting(key: "cache_ttl", environment: "MATCHWORK_CACHE_TTL", flag: "--cache-ttl", help: "seconds a list stays cached, or 30s, 15m, 1h (default 1h; 0 disables)"),
            Setting(key: "cache_capacity", environment: "MATCHWORK_CACHE_CAPACITY", flag: nil, help: "lists kept in the cache (default 50000)"),
            Setting(
                key: "cache_memory", environment: "MATCHWORK_CACHE_MEMORY", flag: nil,
                help: "memory the cached lists may take, in bytes or 64MiB, 1GiB (default 256MiB)"),
            Setting(
                key: "store_cache", environment: "MATCHWORK_STORE_CACHE", flag: nil,
                help: "SQLite page cache of each store connection, in bytes or 8MiB, 64MiB (default 16MiB)"),
            Setting(
                key: "store_readers", environment: "MATCHWORK_STORE_READERS", flag: nil,
                help: "store connections that read at once, beside the writer, 1-64 (default 4)"),
            Setting(
                key: "served_list_retention", environment: "MATCHWORK_SERVED_LIST_RETENTION", flag: nil,
                help: "how long served lists are kept, or 30d, 12h; lists with outcomes or feedback are kept (default 90d; 0: for ever)"),
            Setting(
                key: "cache_warm", environment: "MATCHWORK_CACHE_WARM", flag: nil,
                help: "lists scored ahead after a start or model switch, for the subjects served lately (default 10000; 0 disables)"),
            Setting(key: "recommendation_mode", environment: "MATCHWORK_RECOMMENDATION_MODE", flag: "--mode", help: "default mode (default ensemble)"),
            Setting(key: "ensemble_weights", environment: "MATCHWORK_ENSEMBLE_WEIGHTS", flag: "--ensemble-weights", help: "ensemble weights, [LIST:]NAME=W,… separated by spaces"),
            Setting(key: "rate_limit", environment: "MATCHWORK_RATE_LIMIT", flag: "--rate-limit", help: "requests per minute per key (default: no limit)"),
            Setting(key: "max_body_bytes", environment: "MATCHWORK_MAX_BODY_BYTES", flag: nil, help: "largest request body (default 16777216)"),
            Setting(key: "scoring_threads", environment: "MATCHWORK_SCORING_THREADS", flag: nil, help: "threads that score (default: cores)"),
            Setting(key: "refresh_interval", environment: "MATCHWORK_REFRESH_INTERVAL", flag: nil, help: "seconds between engine rebuilds after writes (default 2)"),
            Setting(
                key: "fresh_wait", environment: "MATCHWORK_FRESH_WAIT", flag: nil,
                help: "how long a request about a subject just written waits for the rebuild that includes the write, then is answered stale (default 1s)"),
            Setting(
                key: "idle_timeout", environment: "MATCHWORK_IDLE_TIMEOUT", flag: nil,
                help: "seconds a connection may wait with no request under way before it is closed, or 30s, 2m (default 60s; 0: never)"),
            Setting(
                key: "header_timeout", environment: "MATCHWORK_HEADER_TIMEOUT", flag: nil,
                help: "seconds a request's head may take once its first byte has arrived (default 10s)"),
            Setting(
                key: "max_connections", environment: "MATCHWORK_MAX_CONNECTIONS", flag: nil,
                help: "connections open at once; more are answered 503 and closed (default 512)"),
            Setting(
                key: "served_list_backlog", environment: "MATCHWORK_SERVED_LIST_BACKLOG", flag: nil,
                help: "served lists that may wait to be written; beyond it, while the store fails, recommendations answer 503 (default 20000)"),
            Setting(
                key: "max_event_skew", environment: "MATCHWORK_MAX_EVENT_SKEW", flag: nil,
                help: "how far ahead of this machine's clock an event may be dated, or 30m, 12h, 2d (default 1d)"),
        ]

        public static func named(_ key: String) -> Setting? { all.first { $0.key == key } }
    }

    /// Applies `value`, read from `source` (`--port`, `MATCHWORK_PORT`, `config.json: port`), to
    /// the setting `key`.
    public mutating func apply(_ key: String, _ value: String, source: String) throws(MatchworkError) {
        func bad(_ why: String) -> MatchworkError {
            MatchworkError(.invalidConfiguration, "\(source) '\(value)' \(why).", field: source)
        }
        switch key {
        case "host":
            guard !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "/" }) else { throw bad("is not a host name or address; use for example 127.0.0.1 or 0.0.0.0") }
            host = value
        case "port":
            guard let n = Int(value), (0...65535).contains(n) else { throw bad("is not a port; use 0-65535") }
            port = n
        case "store":
            guard !value.isEmpty else { throw bad("is empty; give the store's file") }
            storePath = value
        case "database_url":
            if value.hasPrefix("sqlite://") {
                storePath = String(value.dropFirst("sqlite://".count))
            } else if value.hasPrefix("sqlite:") {
                storePath = String(value.dropFirst("sqlite:".count))
            } else if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
                throw MatchworkError(
                    .invalidConfiguration, "\(source) names a PostgreSQL database, which this build cannot serve yet; use the embedded store with MATCHWORK_STORE=PATH or sqlite:PATH.",
                    field: source)
            } else {
                throw bad("is not a store URL; write sqlite:PATH (for example sqlite:/var/lib/matchwork/matchwork.sqlite)")
            }
            guard !storePath.isEmpty else { throw bad("has no path; write sqlite:PATH") }
        case "model_path":
            guard !value.isEmpty else { throw bad("is empty; give the registry directory") }
            modelPath = value
        case "log_level":
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw bad("is not a log level; use trace, debug, info, notice, warning, error or critical")
            }
            logLevel = level
        case "cache_ttl":
            guard let seconds = Self.duration(value), seconds >= 0, seconds <= 7 * 86_400 else {
                throw bad("is not a cache lifetime; give seconds (3600) or 30s, 15m, 1h, up to 7 days, or 0 to disable the cache")
            }
            cacheTTL = seconds
        case "cache_capacity":
            guard let n = Int(value), (1...10_000_000).contains(n) else { throw bad("is not a capacity; give 1-10000000 lists") }
            cacheCapacity = n
        case "cache_warm":
            guard let n = Int(value), (0...10_000_000).contains(n) else { throw bad("is not a number of lists; give 0-10000000 (0 turns warming off)") }
            cacheWarm = n
        case "cache_memory":
            guard let n = FieldText.bytes(ofSize: value), (1 << 20...(1 << 40)).contains(n) else {
                throw bad("is not a memory size; give bytes or 64MiB, 1GiB, from 1MiB (turn the cache off with cache_ttl 0)")
            }
            cacheMemory = n
        case "store_cache":
            guard let n = FieldText.bytes(ofSize: value), (1 << 20...(16 << 30)).contains(n) else { throw bad("is not a page cache size; give 1MiB-16GiB, such as 16MiB") }
            storeLimits.cacheMebibytes = n >> 20
        case "store_readers":
            guard let n = Int(value), (1...64).contains(n) else { throw bad("is not a reader count; give 1-64") }
            storeLimits.readers = n
        case "served_list_retention":
            guard let seconds = Self.duration(value), seconds == 0 || seconds >= 3600, seconds <= 36_500 * 86_400 else {
                throw bad("is not a retention; give at least 1h, such as 30d or 2160h, or 0 to keep served lists for ever")
            }
            servedListRetention = seconds
        case "recommendation_mode":
            recommendationMode = try RecommendationMode.parse(value, field: source)
        case "ensemble_weights":
            ensembleWeights = value.split(separator: " ").map(String.init).filter { !$0.isEmpty }
        case "rate_limit":
            guard let n = Int(value), (0...1_000_000).contains(n) else { throw bad("is not a rate; give requests per minute per key, 1-1000000, or 0 for no limit") }
            rateLimit = n == 0 ? nil : n
        case "max_body_bytes":
            guard let n = Int(value), (1024...(256 << 20)).contains(n) else { throw bad("is not a body limit; give 1024-268435456 bytes") }
            maxBodyBytes = n
        case "scoring_threads":
            guard let n = Int(value), (1...256).contains(n) else { throw bad("is not a thread count; give 1-256") }
            scoringThreads = n
        case "refresh_interval":
            guard let seconds = Self.duration(value), seconds >= 0, seconds <= 3600 else { throw bad("is not an interval; give 0-3600 seconds") }
            refreshInterval = seconds
        case "fresh_wait":
            guard let seconds = Self.duration(value), seconds >= 0, seconds <= 3600 else {
                throw bad("is not a wait; give 0-3600 seconds, or 500ms, 2s, 1m (0 answers at once with the serving engine)")
            }
            freshWait = seconds
        case "idle_timeout":
            guard let seconds = Self.duration(value), seconds >= 0, seconds <= 86_400 else { throw bad("is not a timeout; give 0-86400 seconds, or 30s, 2m (0: never)") }
            idleTimeout = seconds
        case "header_timeout":
            guard let seconds = Self.duration(value), seconds >= 0.1, seconds <= 3600 else { throw bad("is not a timeout; give 0.1-3600 seconds, or 500ms, 10s") }
            headerTimeout = seconds
        case "max_connections":
            guard let n = Int(value), (1...1_000_000).contains(n) else { throw bad("is not a connection count; give 1-1000000") }
            maxConnections = n
        case "served_list_backlog":
            guard let n = Int(value), (1...10_000_000).contains(n) else { throw bad("is not a backlog; give 1-10000000 lists") }
            servedListBacklog = n
        case "max_event_skew":
            guard let seconds = EventClock.skew(parsing: value) else {
                throw bad("is not a skew; give seconds (86400) or 30m, 12h, 2d, up to 3650 days (0: no event dated after the clock)")
            }
            eventClock = EventClock(maximumSkew: seconds, setting: "max_event_skew")
        default:
            let keys = Setting.all.map(\.key).joined(separator: ", ")
            throw MatchworkError(.invalidConfiguration, "\(source) is not a setting; the settings are \(keys).", field: source)
        }
    }

    /// Seconds from `3600`, `500ms`, `90s`, `15m`, `1h` or `1d`.
    static func duration(_ text: String) -> Double? { FieldText.seconds(ofDuration: text) }
}
