import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Rebuild derived data from the store and retrain the neural model in one step.",
        discussion: """
            Rebuilds the snapshot, feature vectors, preference summaries and the collaborative \
            model from everything in the store (checking that they build), then trains a new \
            neural version and saves it to the registry, where it serves unless a version is \
            pinned. Run it after importing new people, opportunities or events.
            """)

    @OptionGroup var options: StoreOptions

    @OptionGroup var engineOptions: EngineOptions

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
            _ = try await TrainCommand.trainAndSave(
                store: store, registry: modelOptions.registry(store: options.store), configuration: configuration, engineConfiguration: engineConfiguration,
                terminal: terminal)
        }
    }
}
