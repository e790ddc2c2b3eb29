import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

/// Where trained models live: `--models`, else `MATCHWORK_MODEL_PATH`, else beside the store.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("models"), help: ArgumentHelp("The model registry directory (default: $MATCHWORK_MODEL_PATH, else STORE.models beside the store).", valueName: "DIR"))
    var models: String?

    func registry(store: String) -> ModelRegistry {
        if let models { return ModelRegistry(directory: models) }
        if let path = ProcessInfo.processInfo.environment["MATCHWORK_MODEL_PATH"], !path.isEmpty { return ModelRegistry(directory: path) }
        return ModelRegistry(besideStore: store)
    }

    /// The serving model for a store, with a note on stderr for each version refused.
    func servingModel(store: String, scenario: ScenarioName?) -> LearnedModel? {
        let registry = registry(store: store)
        let serving = registry.serving(scenario: scenario)
        let refused = serving?.refused ?? registry.entries(scenario: scenario).compactMap { entry in entry.problem.map { (entry.version, $0) } }
        for (version, reason) in refused {
            Terminal.writeError("note: model \(version) was refused: \(reason)\(serving.map { " \($0.metadata.version) serves instead." } ?? "")\n")
        }
        return serving?.model
    }
}
