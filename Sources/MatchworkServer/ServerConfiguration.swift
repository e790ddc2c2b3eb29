import Foundation
public import Logging
public import MatchworkCore

/// The service's settings, validated once at start.
///
/// Sources, lowest precedence first: the defaults, a JSON config file (`--config`), environment
/// variables (`MATCHWORK_*`, `DATABASE_URL`), then command-line flags. Each setting has one key
/// (`cache_ttl`), which is also its config-file member; ``Setting`` lists them with their
/// environment variables. An invalid value fails the start with a message that names the value
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

    public init() {}

    /// One setting: its key (the config-file member), environment variable and flag.
    public struct Setting: Sendable, Hashable {
        public let key: String
        public let environment: String?
        public let flag: String?
        public let help: String

        public static let all: [Setting] = [
            Setting(key: "host", environment: "MATCHWORK_HOST", flag: "--host", help: "address to listen on (default 127.0.0.1)"),
            Setting(key: "port", environment: "MATCHWORK_PORT", flag: "--port", help: "port, 0-65535 (default 8080)"),
            Setting(key: "store", environment: "MATCHWORK_STORE", flag: "--store", help: "the embedded store's file (default matchwork.sqlite)"),
            Setting(key: "database_url", environment: "DATABASE_URL", flag: nil, help: "the store as a URL: sqlite:PATH"),
            Setting(key: "model_path", environment: "MATCHWORK_MODEL_PATH", flag: "--models", help: "the model registry directory (default STORE.models)"),
            Setting(key: "log_level", environment: "MATCHWORK_LOG_LEVEL", flag: "--log-level", help: "trace, debug, info, notice, warning, error or critical (default info)"),
            Setting(key: "cache_ttl", environment: "MATCHWORK_CACHE_TTL", flag: "--cache-ttl", help: "seconds a list stays cached, or 30s, 15m, 1h (default 1h; 0 disables)"),
            Setting(key: "cache_capacity", environment: "MATCHWORK_CACHE_CAPACITY", flag: nil, help: "lists kept in the cache (default 50000)"),
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
        default:
            let keys = Setting.all.map(\.key).joined(separator: ", ")
            throw MatchworkError(.invalidConfiguration, "\(source) is not a setting; the settings are \(keys).", field: source)
        }
    }

    /// Seconds from `3600`, `500ms`, `90s`, `15m`, `1h` or `1d`.
    static func duration(_ text: String) -> Double? {
        if text.hasSuffix("ms") { return Double(text.dropLast(2)).map { $0 / 1000 } }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let last = text.last, let unit = units[last] { return Double(text.dropLast()).map { $0 * unit } }
        return Double(text)
    }
}
