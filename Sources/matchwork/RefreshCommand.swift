import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Rebuild derived data from the store and retrain the models in one step.",
        discussion: """
            Rebuilds the snapshot, feature vectors, preference summaries and the collaborative \
            model from everything in the store (checking that they build), then trains a new \
            neural version, and a new version of each collaborative kind already in the \
            registry (als, bpr, item-knn, mf, with the settings of its latest version) and of the \
            learned ranker when there is one (ranker, likewise, after the neural model), and saves \
            them to the registry, where they serve unless a version is pinned. Run it after \
            importing new people, opportunities or events.
            """)

    @OptionGroup var options: StoreOptions

    // The engine settings the trained model is checked with; not listed: they are recommend's.
    @OptionGroup(visibility: .hidden) var engineOptions: EngineOptions

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("param"), help: ArgumentHelp("A hyper-parameter of the neural model, as for `train` (repeatable).", valueName: "KEY=VALUE"))
    var params: [String] = []

    func run() async throws {
        try await reportingErrors {
            var parameters = try Parameters(params)
            var configuration = try NeuralTraining.Configuration(parameters: &parameters)
            try parameters.checkAllRead(model: "neural")
            if parameters.values["compare_parts"] == nil { configuration.compareParts = false }
            let store = try options.openExisting()
            let terminal = Terminal(quiet: options.quiet)
            let started = monotonicSeconds()
            let snapshot = try await store.snapshot(now: nil)
            let engineConfiguration = try engineOptions.configuration(scenario: snapshot.preset?.name)
            let engine = try RecommendationEngine(snapshot: snapshot, configuration: engineConfiguration)
            let collaborative = try engine.collaborativeIndex()
            terminal.say(
                "Rebuilt derived data in \(String(format: "%.1f", monotonicSeconds() - started)) s: \(grouped(snapshot.people.count)) people, \(grouped(snapshot.opportunities.count)) opportunities (\(grouped(snapshot.openOpportunities.count)) open), feature space of \(engine.index.space.dimension) dimensions, collaborative factors for \(grouped(collaborative.personFactors.count / collaborative.configuration.factors)) people")
            let registry = modelOptions.registry(store: options.store)
            _ = try await TrainCommand.trainAndSave(
                store: store, registry: registry, configuration: configuration, engineConfiguration: engineConfiguration, terminal: terminal)
            // The collaborative kinds already in the registry are retrained too (with their
            // saved settings), so that the ALS the engine serves reflects the new data.
            let entries = registry.entries(scenario: snapshot.preset?.name)
            for kind in CollaborativeKind.allCases {
                guard let latest = entries.first(where: { $0.kind == kind.rawValue && $0.isUsable }), let metadata = latest.metadata else { continue }
                var parameters = try Parameters(metadata.hyperParameters.map { "\($0.key)=\($0.value)" }.sorted())
                _ = try TrainCommand.trainAndSave(
                    kind, snapshot: snapshot, parameters: &parameters, registry: registry, engineConfiguration: engineConfiguration, terminal: terminal)
            }
            // So is the learned ranker, against the new neural model.
            if let latest = entries.first(where: { $0.kind == "ranker" && $0.isUsable }), let metadata = latest.metadata {
                var parameters = try Parameters(metadata.hyperParameters.filter { $0.key != "ensemble_neural" }.map { "\($0.key)=\($0.value)" }.sorted())
                let ranker = try RankerTraining.Configuration(parameters: &parameters)
                _ = try await TrainCommand.trainAndSave(store: store, registry: registry, ranker: ranker, engineConfiguration: engineConfiguration, terminal: terminal)
            }
        }
    }
}
