import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkServer
import MatchworkStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API (/api/v1), health checks and metrics over HTTP.",
        discussion: """
            Settings come from, in rising precedence: defaults, a JSON config file (--config, its \
            members named as below), environment variables, then flags. Every value is checked \
            before the service starts.

            \(ServerConfiguration.Setting.all.map { s in "\(s.key) (\((s.variables + [s.flag].compactMap { $0 }).joined(separator: ", "))): \(s.help)" }.joined(separator: "\n"))

            Requests under /api/v1 need an API key (X-API-Key or Authorization: Bearer); create \
            one with `matchwork keys create --role read|write|admin`. SIGTERM stops the service \
            gracefully: requests in flight finish and the store closes cleanly.
            """)

    @Option(help: ArgumentHelp("The address to listen on (default 127.0.0.1).", valueName: "HOST"))
    var host: String?

    @Option(help: ArgumentHelp("The port to listen on (default 8080; 0 picks a free one).", valueName: "PORT"))
    var port: String?

    @Option(help: ArgumentHelp("The embedded store file (default ./matchwork.sqlite).", valueName: "PATH"))
    var store: String?

    @Option(help: ArgumentHelp("The model registry directory (default STORE.models).", valueName: "DIR"))
    var models: String?

    @Option(help: ArgumentHelp("A JSON file of settings.", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    var logLevel: String?

    @Option(name: .customLong("cache-ttl"), help: ArgumentHelp("How long a list stays cached: seconds, or 30s, 15m, 1h (0: no cache).", valueName: "TTL"))
    var cacheTTL: String?

    @Option(help: ArgumentHelp("The mode when a request names none (default ensemble).", valueName: "MODE"))
    var mode: String?

    @Option(name: .customLong("ensemble-weights"), help: ArgumentHelp("Ensemble weights, as for recommend (repeatable).", valueName: "[LIST:]NAME=W,..."))
    var ensembleWeights: [String] = []

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Requests per minute per API key (0: no limit).", valueName: "N"))
    var rateLimit: String?

    func run() async throws {
        try await reportingErrors {
            let configuration = try resolve(environment: ProcessInfo.processInfo.environment)
            let metrics = MatchworkService.bootstrapProcess(logLevel: configuration.logLevel)
            try await MatchworkService.run(configuration: configuration, metrics: metrics)
        }
    }

    /// The configuration from the config file, then the environment, then the flags.
    func resolve(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let config { try Self.applyFile(config, to: &configuration) }
        for setting in ServerConfiguration.Setting.all {
            guard let (variable, value) = setting.value(in: environment) else { continue }
            try configuration.apply(setting.key, value, source: variable)
        }
        let flags: [(String, String, String?)] = [
            ("host", "--host", host), ("port", "--port", port), ("store", "--store", store), ("model_path", "--models", models),
            ("log_level", "--log-level", logLevel), ("cache_ttl", "--cache-ttl", cacheTTL), ("recommendation_mode", "--mode", mode),
            ("ensemble_weights", "--ensemble-weights", ensembleWeights.isEmpty ? nil : ensembleWeights.joined(separator: " ")),
            ("rate_limit", "--rate-limit", rateLimit),
        ]
        for (key, flag, value) in flags {
            if let value { try configuration.apply(key, value, source: flag) }
        }
        return configuration
    }

    static func applyFile(_ path: String, to configuration: inout ServerConfiguration) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MatchworkError(.invalidConfiguration, "Config file '\(path)' cannot be read; check the path and its permissions.", field: "--config")
        }
        guard let object = JSONReader.parse(data)?.members else {
            throw MatchworkError(.invalidConfiguration, "Config file '\(path)' is not a JSON object of settings such as {\"port\": 8080}.", field: "--config")
        }
        let name = (path as NSString).lastPathComponent
        if let member = JSONDuplicates.firstDuplicate(in: data) {
            throw MatchworkError(.invalidConfiguration, "\(name): \(member) is set twice; keep one value per setting.", field: "\(name): \(member)")
        }
        for key in object.keys.sorted() {
            let value = object[key]!
            let text: String
            func scalar(_ value: JSONValue) -> String? {
                switch value {
                case .string(let s): s
                case .bool(let b): b ? "true" : "false"
                case .integer, .number: value.kind == .integer ? String(Int64(value.double!)) : "\(value.double!)"
                case .null, .array, .object: nil
                }
            }
            switch value {
            case .array(let items) where items.allSatisfy({ scalar($0) != nil }): text = items.compactMap(scalar).joined(separator: " ")
            default:
                guard let single = scalar(value) else {
                    throw MatchworkError(.invalidConfiguration, "\(name): \(key) must be a string or a number.", field: "\(name): \(key)")
                }
                text = single
            }
            try configuration.apply(key, text, source: "\(name): \(key)")
        }
    }
}
