import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the trained models in the registry, and choose which one serves.",
        subcommands: [ModelsList.self, ModelsUse.self, ModelsUnpin.self],
        defaultSubcommand: ModelsList.self)
}

struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every version, newest first, with its checks and metrics.")

    @OptionGroup var options: StoreOptions

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let store = try options.openExisting()
            let scenario = try await store.scenario()
            let registry = modelOptions.registry(store: options.store)
            let entries = registry.entries(scenario: scenario)
            let serving = registry.servingVersion(among: entries)
            if json {
                struct Row: Encodable {
                    var version: String
                    var serving: Bool
                    var pinned: Bool
                    var problem: String?
                    var metadata: ModelMetadata?
                }
                let rows = entries.map { Row(version: $0.version, serving: $0.version == serving, pinned: $0.version == registry.pinnedVersion(), problem: $0.problem, metadata: $0.metadata) }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(["directory": AnyEncodable(registry.path), "models": AnyEncodable(rows)]), as: UTF8.self))
                return
            }
            guard !entries.isEmpty else {
                print("No trained models in \(registry.path); train one with `matchwork train --model neural`.")
                return
            }
            print("Models in \(registry.path) (newest first):")
            for entry in entries {
                let mark = entry.version == serving ? (entry.version == registry.pinnedVersion() ? "* serving (pinned)" : "* serving") : ""
                guard let m = entry.metadata, entry.problem == nil else {
                    print("  \(entry.version)  REFUSED: \(entry.problem ?? "unknown problem")")
                    continue
                }
                var figures: [String] = []
                for target in RankingTarget.allCases {
                    if let v = m.metrics[target.rawValue], let hit = v.hitRateAt3, let ndcg = v.ndcgAt10 {
                        figures.append(String(format: "%@ hit@3 %.1f%% NDCG@10 %.3f α %.2f", target.rawValue, hit * 100, ndcg, m.alpha[target.rawValue] ?? 0))
                    }
                }
                if let r = m.metrics["rating"], let mse = r.mse { figures.append(String(format: "rating RMSE %.3f R² %.2f", mse.squareRoot(), r.r2 ?? 0)) }
                print("  \(entry.version)  \(m.createdAt)  \(grouped(m.data["examples"] ?? 0)) pairs, \(String(format: "%.1f", m.trainingSeconds)) s  \(mark)")
                print("      " + figures.joined(separator: "; "))
            }
        }
    }
}

struct ModelsUse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "use", abstract: "Pin a version: it serves until `models unpin`, whatever is trained later.")

    @OptionGroup var options: StoreOptions

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "The version to serve, e.g. neural-000002.")
    var version: String

    func run() async throws {
        try await reportingErrors {
            let store = try options.openExisting()
            let registry = modelOptions.registry(store: options.store)
            try registry.pin(version, scenario: try await store.scenario())
            print("\(version) serves now (pinned); `matchwork models unpin` returns to the newest usable version.")
        }
    }
}

struct ModelsUnpin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpin", abstract: "Remove the pin: the newest version that passes its checks serves.")

    @OptionGroup var options: StoreOptions

    @OptionGroup var modelOptions: ModelOptions

    func run() async throws {
        try await reportingErrors {
            let registry = modelOptions.registry(store: options.store)
            try registry.unpin()
            print("No version is pinned; the newest usable one serves.")
        }
    }
}

/// Wraps an encodable value of any type.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
