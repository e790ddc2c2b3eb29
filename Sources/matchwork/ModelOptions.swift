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

    /// The serving neural model for a snapshot's store, with a note on stderr for each version refused.
    func servingModel(store: String, snapshot: MarketplaceSnapshot) -> LearnedModel? {
        let serving = registry(store: store).servingModels(for: snapshot, collaborative: false, ranker: false)
        for note in serving.notes { Terminal.writeError("note: \(note)\n") }
        return serving.learned
    }

    /// The serving learned ranker, with a note on stderr for each version refused.
    func servingRanker(store: String, snapshot: MarketplaceSnapshot) -> RankerModel? {
        let serving = registry(store: store).servingModels(for: snapshot, learned: false, collaborative: false)
        for note in serving.notes { Terminal.writeError("note: \(note)\n") }
        return serving.ranker
    }

    /// The registry's serving ALS model carried over to `snapshot`, as a cache the engine starts
    /// from (with `configuration.collaborative` set to the model's), or `nil` when there is none
    /// or it knows too few of today's rows (then the engine fits, as without a registry).
    func servingCollaborative(store: String, snapshot: MarketplaceSnapshot, configuration: inout EngineConfiguration) -> CollaborativeCache? {
        let serving = registry(store: store).servingModels(for: snapshot, learned: false, ranker: false)
        for note in serving.notes { Terminal.writeError("note: \(note)\n") }
        configuration = serving.configure(configuration)
        return serving.collaborative?.cache
    }
}
