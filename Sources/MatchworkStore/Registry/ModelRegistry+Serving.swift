public import MatchworkCore

/// The trained models an engine serves with, read from a registry for one snapshot.
public struct ServingModels: Sendable {
    /// The neural model (`neural` mode and the ensemble's learned share).
    public var learned: LearnedModel?
    /// The registry's ALS carried over to the snapshot, and the settings it was trained with.
    public var collaborative: (configuration: CollaborativeConfiguration, cache: CollaborativeCache)?
    /// The learned ranker (`ranked` mode and the ensemble's final stage).
    public var ranker: RankerModel?
    /// The versions serving, by kind (`neural`: `neural-000003`).
    public var versions: [String: String] = [:]
    /// Their metadata, by kind.
    public var metadata: [String: ModelMetadata] = [:]
    /// Versions refused and models not used, with why, for the operator.
    public var notes: [String] = []

    public init() {}

    /// The engine configuration with the collaborative settings the served ALS was trained with.
    public func configure(_ configuration: EngineConfiguration) -> EngineConfiguration {
        var configuration = configuration
        if let collaborative { configuration.collaborative = collaborative.configuration }
        return configuration
    }

    /// The versions serving, for cache keys and answers: `als-000002,neural-000003`.
    public var versionKey: String { versions.values.sorted().joined(separator: ",") }
}

extension ModelRegistry {
    /// The serving neural model and the serving ALS carried over to `snapshot`.
    ///
    /// An ALS that knows too few of the snapshot's people and opportunities (more new rows than
    /// its refit share) is not used: the engine then fits the collaborative component afresh,
    /// and a note says so.
    public func servingModels(
        for snapshot: MarketplaceSnapshot, learned needLearned: Bool = true, collaborative needCollaborative: Bool = true, ranker needRanker: Bool = true
    ) -> ServingModels {
        var result = ServingModels()
        let scenario = snapshot.preset?.name
        if needRanker, let found = servingNoting("ranker", scenario: scenario, into: &result), let ranker = found.model.ranker {
            result.ranker = ranker
            result.versions["ranker"] = found.metadata.version
            result.metadata["ranker"] = found.metadata
        }
        if needLearned, let neural = servingNoting("neural", scenario: scenario, into: &result), let learned = neural.model.learned {
            result.learned = learned
            result.versions["neural"] = neural.metadata.version
            result.metadata["neural"] = neural.metadata
        }
        if needCollaborative, let als = servingNoting("als", scenario: scenario, into: &result), let trained = als.model.trainedCollaborative,
            let settings = trained.collaborative
        {
            do {
                let index = try trained.collaborativeIndex(for: snapshot)
                let rows = snapshot.people.count + snapshot.opportunities.count
                if Double(index.foldedIn) <= settings.refitShare * Double(max(rows, 1)) {
                    result.collaborative = (settings, CollaborativeCache(holding: index))
                    result.versions["als"] = als.metadata.version
                    result.metadata["als"] = als.metadata
                } else {
                    result.notes.append(
                        "model \(als.metadata.version) knows too few of today's people and opportunities (\(index.foldedIn) of \(rows) are new); the collaborative component is fitted afresh. Run `matchwork train --model als`."
                    )
                }
            } catch {
                result.notes.append(error.message)
            }
        }
        return result
    }

    private func servingNoting(_ kind: String, scenario: ScenarioName?, into result: inout ServingModels) -> (model: RegistryModel, metadata: ModelMetadata)? {
        let serving = serving(kind, scenario: scenario)
        let refused = serving?.refused ?? entries(scenario: scenario).filter { $0.kind == kind }.compactMap { entry in entry.problem.map { (entry.version, $0) } }
        for (version, reason) in refused {
            result.notes.append("model \(version) was refused: \(reason)\(serving.map { " \($0.metadata.version) serves instead." } ?? "")")
        }
        return serving.map { ($0.model, $0.metadata) }
    }
}
