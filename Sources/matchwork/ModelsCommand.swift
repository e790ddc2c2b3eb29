import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the trained models in the registry, and choose which version of each kind serves.",
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
            // The engine serves the neural model and ALS (its collaborative component); the
            // other kinds are trained for evaluation and comparison.
            let servingByKind = registry.servingVersions(among: entries).filter { RegistryModel.servedKinds.contains($0.key) }
            let serving = Set(servingByKind.values)
            let newest = Set(registry.servingVersions(among: entries).filter { !RegistryModel.servedKinds.contains($0.key) }.values)
            let pinned = Set(RegistryModel.kinds.compactMap { registry.pinnedVersion(kind: $0) })
            if json {
                struct Row: Encodable {
                    var version: String
                    var kind: String
                    var serving: Bool
                    var pinned: Bool
                    var problem: String?
                    var metadata: ModelMetadata?
                }
                let rows = entries.map { Row(version: $0.version, kind: $0.kind, serving: serving.contains($0.version), pinned: pinned.contains($0.version), problem: $0.problem, metadata: $0.metadata) }
                let encoder = CLIJSON.encoder()
                print(String(decoding: try encoder.encode(["directory": AnyEncodable(registry.path), "models": AnyEncodable(rows)]), as: UTF8.self))
                return
            }
            guard !entries.isEmpty else {
                print("No trained models in \(registry.path); train one with `matchwork train --model neural`.")
                return
            }
            print("Models in \(registry.path) (newest first):")
            for entry in entries {
                let mark =
                    serving.contains(entry.version)
                    ? (pinned.contains(entry.version) ? "* serving (pinned)" : "* serving")
                    : newest.contains(entry.version) ? "newest \(entry.kind) (the engine does not serve \(entry.kind); `evaluate` compares it)" : ""
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
                if entry.kind == "ranker" {
                    for target in RankingTarget.allCases {
                        guard let v = m.metrics[target.rawValue]?.ndcgAt10, let e = m.metrics["\(target.rawValue)/ensemble"]?.ndcgAt10 else { continue }
                        figures.append(String(format: "%@ validation NDCG@10 %.3f against the ensemble's %.3f", target.rawValue, v, e) + (v > e ? "" : " (not kept)"))
                    }
                }
                if let r = m.metrics["rating"], let mse = r.mse {
                    figures.append(String(format: "rating RMSE %.3f R² %.2f", mse.squareRoot(), r.r2 ?? 0) + ((r.r2 ?? 0) < 0 ? " (worse than the mean rating)" : ""))
                }
                if let b = m.metrics["bid"], let coverage = b.coverage {
                    figures.append(String(format: "bid coverage %.1f%% winning bid inside %.1f%%", coverage * 100, (b.winningInside ?? 0) * 100))
                }
                if let v = m.metrics["validation"] {
                    if let ndcg = v.ndcgAt10 {
                        figures.append(String(format: "held out: precision@10 %.3f NDCG@10 %.3f hit@3 %.1f%%", v.precisionAt10 ?? 0, ndcg, (v.hitRateAt3 ?? 0) * 100))
                    } else if let mse = v.mse {
                        figures.append(
                            String(format: "held out: RMSE %.3f MAE %.3f R² %.2f", mse.squareRoot(), v.mae ?? 0, v.r2 ?? 0) + ((v.r2 ?? 0) < 0 ? " (worse than the mean rating)" : ""))
                    }
                }
                let lists = RankingTarget.allCases.compactMap { m.data["\($0.rawValue)_lists"] }.reduce(0, +)
                let size =
                    entry.kind == "ranker" ? "\(grouped(lists)) lists"
                    : m.data["examples"].map { "\(grouped($0)) pairs" } ?? m.data["pairs"].map { "\(grouped($0)) pairs" } ?? "\(grouped(m.data["reviews"] ?? 0)) reviews"
                print("  \(entry.version)  \(m.createdAt)  \(size), \(String(format: "%.1f", m.trainingSeconds)) s  \(mark)")
                print("      " + figures.joined(separator: "; "))
            }
        }
    }
}

struct ModelsUse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "use", abstract: "Pin a version: it serves until `models unpin`, whatever is trained later.")

    @OptionGroup var options: StoreOptions

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "The version to serve for its kind, e.g. neural-000002 or als-000003.")
    var version: String

    func run() async throws {
        try await reportingErrors {
            let store = try options.openExisting()
            let registry = modelOptions.registry(store: options.store)
            try registry.pin(version, scenario: try await store.scenario())
            print("\(version) serves now for \(ModelRegistry.kind(of: version)) (pinned); `matchwork models unpin \(ModelRegistry.kind(of: version))` returns to the newest usable version.")
        }
    }
}

struct ModelsUnpin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin", abstract: "Remove a kind's pin (every pin without KIND): the newest version that passes its checks serves.")

    @OptionGroup var options: StoreOptions

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: ArgumentHelp("neural, als, bpr, item-knn or mf (default: every kind).", valueName: "KIND"))
    var kind: String?

    func run() async throws {
        try await reportingErrors {
            if let kind, !RegistryModel.kinds.contains(kind) {
                throw MatchworkError(.unknownVocabulary, "kind '\(kind)' is not a model kind; use one of \(RegistryModel.kinds.joined(separator: ", ")).", field: "KIND")
            }
            let registry = modelOptions.registry(store: options.store)
            let kinds = kind.map { [$0] } ?? RegistryModel.kinds
            let pinned = kinds.compactMap { registry.pinnedVersion(kind: $0) }
            try registry.unpin(kind: kind)
            let what = kind.map { "the newest usable \($0) version serves" } ?? "the newest usable version of each kind serves"
            print(pinned.isEmpty ? "Nothing was pinned\(kind.map { " for \($0)" } ?? ""); \(what)." : "Unpinned \(pinned.joined(separator: ", ")); \(what).")
        }
    }
}

/// Wraps an encodable value of any type.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
