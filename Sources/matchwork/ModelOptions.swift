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

    /// The serving neural model for a store, with a note on stderr for each version refused.
    func servingModel(store: String, scenario: ScenarioName?) -> LearnedModel? {
        serving("neural", store: store, scenario: scenario)?.learned
    }

    /// The registry's serving ALS model carried over to `snapshot`, as a cache the engine starts
    /// from (with `configuration.collaborative` set to the model's), or `nil` when there is none
    /// or it knows too few of today's rows (then the engine fits, as without a registry).
    func servingCollaborative(store: String, snapshot: MarketplaceSnapshot, configuration: inout EngineConfiguration) -> CollaborativeCache? {
        guard let als = serving("als", store: store, scenario: snapshot.preset?.name)?.trainedCollaborative, let trained = als.collaborative else { return nil }
        do {
            let index = try als.collaborativeIndex(for: snapshot)
            let rows = snapshot.people.count + snapshot.opportunities.count
            guard Double(index.foldedIn) <= trained.refitShare * Double(max(rows, 1)) else {
                Terminal.writeError(
                    "note: model \(als.version ?? "als") knows too few of today's people and opportunities (\(index.foldedIn) of \(rows) are new); the collaborative component is fitted afresh. Run `matchwork train --model als`.\n"
                )
                return nil
            }
            configuration.collaborative = trained
            return CollaborativeCache(holding: index)
        } catch {
            Terminal.writeError("note: \(error.message)\n")
            return nil
        }
    }

    /// The serving model of `kind`, with a note on stderr for each version refused.
    private func serving(_ kind: String, store: String, scenario: ScenarioName?) -> RegistryModel? {
        let registry = registry(store: store)
        let serving = registry.serving(kind, scenario: scenario)
        let refused = serving?.refused ?? registry.entries(scenario: scenario).filter { $0.kind == kind }.compactMap { entry in entry.problem.map { (entry.version, $0) } }
        for (version, reason) in refused {
            Terminal.writeError("note: model \(version) was refused: \(reason)\(serving.map { " \($0.metadata.version) serves instead." } ?? "")\n")
        }
        return serving?.model
    }
}
