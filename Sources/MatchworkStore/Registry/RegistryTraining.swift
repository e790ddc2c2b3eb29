internal import Foundation
public import MatchworkCore

/// Trains a model from a store or snapshot and saves it as the registry's next version, with
/// its metadata (hyper-parameters, held-out metrics, data counts, id maps). Shared by
/// `matchwork train`, `matchwork refresh` and the service's background retrain.
public enum RegistryTraining {
    /// Trains a collaborative model on `snapshot` and saves it.
    public static func train(
        _ kind: CollaborativeKind, snapshot: MarketplaceSnapshot, parameters: inout Parameters, registry: ModelRegistry, engineConfiguration: EngineConfiguration
    ) throws -> (metadata: ModelMetadata, result: CollaborativeTraining.Result) {
        let result = try CollaborativeTraining.train(kind, snapshot: snapshot, parameters: &parameters, base: engineConfiguration.collaborative)
        let model = result.model
        let metadata = try registry.save(.collaborative(model)) { version, sha256, bytes in
            ModelMetadata(
                version: version, kind: kind.rawValue, createdAt: ISO8601DateFormatter().string(from: Date()), scenario: snapshot.preset?.name.rawValue,
                formatVersion: ModelRegistry.formatVersion, sha256: sha256, bytes: bytes, data: result.data, hyperParameters: model.settings,
                metrics: ["validation": result.validation], alpha: [:], trainingSeconds: result.seconds,
                idMaps: ["people": model.personIDs, kind == .mf ? "opportunity_keys" : "opportunities": model.opportunityIDs])
        }
        return (metadata, result)
    }

    /// Trains the neural model on the store's records and saves it.
    public static func trainNeural(
        store: any Store, registry: ModelRegistry, configuration: NeuralTraining.Configuration, engineConfiguration: EngineConfiguration,
        progress: ((String, EpochReport) -> Void)? = nil
    ) async throws -> (metadata: ModelMetadata, result: NeuralTraining.Result, seconds: Double) {
        let scenario = try await store.scenario()
        let people = try await store.people(), opportunities = try await store.opportunities(), interactions = try await store.interactions()
        let trained = try trainNeural(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, configuration: configuration,
            engineConfiguration: engineConfiguration, progress: progress)
        return (try saveNeural(trained, registry: registry), trained.result, trained.seconds)
    }

    /// A trained neural model, not yet saved, with what it was trained on.
    public struct NeuralRun: Sendable {
        public var result: NeuralTraining.Result
        public var seconds: Double
        public var configuration: NeuralTraining.Configuration
        public var scenario: ScenarioName?
        public var counts: (people: Int, opportunities: Int, interactions: Int)
    }

    /// Trains the neural model on records (CPU-bound; run it off the cooperative pool).
    public static func trainNeural(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?, configuration: NeuralTraining.Configuration,
        engineConfiguration: EngineConfiguration, progress: ((String, EpochReport) -> Void)? = nil
    ) throws -> NeuralRun {
        let started = Date()
        let result = try NeuralTraining.train(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, configuration: configuration,
            engineConfiguration: engineConfiguration
        ) { stage, epoch in progress?(stage, epoch) }
        return NeuralRun(
            result: result, seconds: Date().timeIntervalSince(started), configuration: configuration, scenario: scenario,
            counts: (people.count, opportunities.count, interactions.count))
    }

    /// Saves a trained neural model as the registry's next version.
    public static func saveNeural(_ run: NeuralRun, registry: ModelRegistry) throws -> ModelMetadata {
        let result = run.result, configuration = run.configuration, scenario = run.scenario, seconds = run.seconds
        var metrics: [String: NeuralMetrics] = [:]
        var alpha: [String: Double] = [:]
        var curves: [String: [Double]] = [:]
        for (target, report) in result.ranking {
            metrics[target.rawValue] = report.validation
            curves[target.rawValue] = report.lossHistory
            alpha[target.rawValue] = Double(result.model.ranking[target]?.alpha ?? 0)
            for (part, m) in result.parts[target] ?? [:] { metrics["\(target.rawValue)/\(part)"] = m }
        }
        if let rating = result.rating {
            metrics["rating"] = rating.validation
            curves["rating"] = rating.lossHistory
        }
        if let bid = result.bid { metrics["bid"] = bid.validation }
        let metadata = try registry.save(result.model) { version, sha256, bytes in
            ModelMetadata(
                version: version, kind: "neural", createdAt: ISO8601DateFormatter().string(from: Date()), scenario: scenario?.rawValue,
                formatVersion: ModelRegistry.formatVersion, sha256: sha256, bytes: bytes,
                data: [
                    "people": run.counts.people, "opportunities": run.counts.opportunities, "interactions": run.counts.interactions, "windows": result.windows,
                    "lists": result.lists, "examples": result.examples, "reviews": result.ratingExamples, "bids": result.bidExamples,
                ],
                hyperParameters: configuration.settings, metrics: metrics, alpha: alpha, trainingSeconds: seconds,
                idMaps: ["people": result.model.encoder.personIDs, "opportunities": result.model.encoder.opportunityKeys], curves: curves)
        }
        return metadata
    }

    /// Trains the learned ranker on the store's records and saves it. The serving neural model,
    /// if any, is what the ensemble a stage must beat on validation scores with.
    public static func trainRanker(
        store: any Store, registry: ModelRegistry, configuration: RankerTraining.Configuration, engineConfiguration: EngineConfiguration,
        progress: @escaping (String) -> Void = { _ in }
    ) async throws -> (metadata: ModelMetadata, result: RankerTraining.Result, seconds: Double) {
        let scenario = try await store.scenario()
        let people = try await store.people(), opportunities = try await store.opportunities(), interactions = try await store.interactions()
        return try trainRanker(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, registry: registry, configuration: configuration,
            engineConfiguration: engineConfiguration, progress: progress)
    }

    /// Trains the learned ranker on records and saves it (CPU-bound; run it off the cooperative
    /// pool); its windows' neural models take the serving neural model's settings, and without a
    /// serving neural model it has no neural columns.
    public static func trainRanker(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?, registry: ModelRegistry,
        configuration: RankerTraining.Configuration, engineConfiguration: EngineConfiguration, progress: (String) -> Void = { _ in }
    ) throws -> (metadata: ModelMetadata, result: RankerTraining.Result, seconds: Double) {
        let serving = registry.serving(scenario: scenario)
        let learned = serving?.model
        var configuration = configuration
        // The windows' neural models are trained with the serving model's settings, so that the
        // neural columns learned from behave like the ones served; without a serving neural
        // model there would be nothing to fill them, so the ranker goes without.
        if let settings = serving?.metadata.hyperParameters {
            var parameters = Parameters(settings: settings)
            configuration.neural = try NeuralTraining.Configuration(parameters: &parameters)
        } else {
            configuration.neuralEvery = 0
        }
        let started = Date()
        let result = try RankerTraining.train(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, configuration: configuration,
            engineConfiguration: engineConfiguration, learned: learned, progress: progress)
        let seconds = Date().timeIntervalSince(started)
        var metrics: [String: NeuralMetrics] = [:]
        var data = ["people": people.count, "opportunities": opportunities.count, "interactions": interactions.count, "windows": result.windows]
        for (target, report) in result.stages {
            metrics[target.rawValue] = NeuralMetrics.ranking(examples: report.rows, lists: report.validationLists, ndcgAt10: report.rankerValidationNDCG)
            metrics["\(target.rawValue)/ensemble"] = NeuralMetrics.ranking(examples: report.rows, lists: report.validationLists, ndcgAt10: report.ensembleValidationNDCG)
            data["\(target.rawValue)_lists"] = report.lists
        }
        var settings = configuration.settings
        if let version = learned?.version { settings["ensemble_neural"] = version }
        var importance: [String: [RankerModel.Importance]] = [:]
        for (target, stage) in result.model.stages { importance[target.rawValue] = Array(stage.importance.prefix(15)) }
        let metadata = try registry.save(.ranker(result.model)) { version, sha256, bytes in
            ModelMetadata(
                version: version, kind: "ranker", createdAt: ISO8601DateFormatter().string(from: Date()), scenario: scenario?.rawValue,
                formatVersion: ModelRegistry.formatVersion, sha256: sha256, bytes: bytes, data: data, hyperParameters: settings, metrics: metrics, alpha: [:],
                trainingSeconds: seconds, idMaps: [:], importance: importance)
        }
        return (metadata, result, seconds)
    }
}
