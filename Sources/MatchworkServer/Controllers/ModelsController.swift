import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore
import NIOPosix

/// `/models/status` and `/models/retrain`: the registry's models, what serves, and retraining
/// in the background.
struct ModelsController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let registry: ModelRegistry
    let engineConfiguration: EngineConfiguration
    let training: NIOThreadPool
    let retrainer: Retrainer
    let trends: TrendKeeper
    let metrics: ServiceMetrics
    let maxBodyBytes: Int

    struct ModelsStatus: Encodable {
        /// The versions serving now, by kind.
        var serving: [String: String]
        var engine: HealthController.EngineSummary?
        var models: [ModelEntry]
        var retrain: Retrainer.Status
        /// When the demand trends were fitted, and on what.
        var trends: TrendKeeper.Status
    }

    struct ModelEntry: Encodable {
        var version: String
        var kind: String
        var serving: Bool
        var usable: Bool
        var problem: String?
        var createdAt: String?
        var trainingSeconds: Double?
        var data: [String: Int]?
        var hyperParameters: [String: String]?
        var metrics: [String: NeuralMetrics]?
    }

    struct RetrainResponse: Encodable {
        var accepted: Bool
        var retrain: Retrainer.Status
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        api.group().add(middleware: RequireRole(role: .read)).get("models/status") { request, _ in
            try QueryFields.none(request)
            // The retrain's status first: it says succeeded only once its engine is current, so
            // a status read in this order never shows a success beside the engine before it.
            let retrain = await retrainer.status
            let state = await host.state
            let scenario = state?.engine.snapshot.preset?.name
            let entries = registry.entries(scenario: scenario).map { entry in
                ModelEntry(
                    version: entry.version, kind: entry.kind, serving: state?.models.versions[entry.kind] == entry.version, usable: entry.isUsable,
                    problem: entry.problem, createdAt: entry.metadata?.createdAt, trainingSeconds: entry.metadata?.trainingSeconds, data: entry.metadata?.data,
                    hyperParameters: entry.metadata?.hyperParameters, metrics: entry.metadata?.metrics)
            }
            return try Reply.encode(
                ModelsStatus(
                    serving: state?.models.versions ?? [:], engine: state.map(HealthController.EngineSummary.init), models: entries, retrain: retrain,
                    trends: await trends.status))
        }
        api.group().add(middleware: RequireRole(role: .admin)).post("models/retrain") { request, _ in
            try QueryFields.none(request)
            var kinds = ["neural", "als"]
            if request.headers[.contentLength].map({ $0 != "0" }) ?? false || request.headers[.transferEncoding] != nil {
                var fields = try await JSONInput.object(request, limit: maxBodyBytes)
                if let names = try fields.strings("models") {
                    for (i, name) in names.enumerated() where !RegistryModel.kinds.contains(name) {
                        throw APIError.unprocessable(
                            "models[\(i)] '\(name)' is not a model the service trains; use \(RegistryModel.kinds.joined(separator: ", ")).", field: "models[\(i)]")
                    }
                    guard !names.isEmpty else { throw APIError.unprocessable("models is empty; name at least one model, or send no body for neural and als.", field: "models") }
                    kinds = names
                }
                try fields.finish()
            }
            let chosen = kinds
            let accepted = await retrainer.start(models: chosen) { retrainer in try await retrain(chosen, retrainer: retrainer) }
            let status = await retrainer.status
            if !accepted {
                var error = APIError(.conflict, code: "retrain_running", "A retrain of \(status.models.joined(separator: ", ")) is running (\(status.stage ?? "")); wait for it to finish (GET /api/v1/models/status).")
                error.headers[.retryAfter] = "30"
                throw error
            }
            return try Reply.encode(RetrainResponse(accepted: true, retrain: status), status: .accepted)
        }
    }

    /// Trains `kinds` on the store as it is now, checks each model, saves it, then rebuilds the
    /// engine so that the new versions serve (the switch is one assignment in the engine host).
    func retrain(_ kinds: [String], retrainer: Retrainer) async throws -> [String] {
        let started = Date()
        defer { metrics.retrainSeconds.recordSeconds(Date().timeIntervalSince(started)) }
        do throws(any Error) {
            let scenario = try await store.scenario()
            let snapshot = try await store.snapshot(now: nil)
            var saved: [String] = []
            for kind in kinds {
                await retrainer.report("\(kind): training")
                if kind == "neural" {
                    let people = try await store.people(), opportunities = try await store.opportunities(), interactions = try await store.interactions()
                    var parameters = try MatchworkCore.Parameters([])
                    let configuration = try NeuralTraining.Configuration(parameters: &parameters)
                    let engineConfiguration = self.engineConfiguration
                    let run = try await training.runIfActive {
                        try RegistryTraining.trainNeural(
                            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, configuration: configuration,
                            engineConfiguration: engineConfiguration
                        ) { stage, epoch in
                            let text = "neural: \(stage) epoch \(epoch.epoch)/\(epoch.epochs), validation loss \(String(format: "%.4f", epoch.validation.loss))"
                            Task { await retrainer.report(text) }
                        }
                    }
                    await retrainer.report("neural: checking")
                    try Self.check(run.result.model, snapshot: snapshot)
                    saved.append(try RegistryTraining.saveNeural(run, registry: registry).version)
                } else if kind == "ranker" {
                    // With its latest settings, against the serving (or just retrained) neural model.
                    let latest = registry.entries(scenario: scenario).first { $0.kind == kind && $0.isUsable }?.metadata
                    let settings = (latest?.hyperParameters ?? [:]).filter { $0.key != "ensemble_neural" }.map { "\($0.key)=\($0.value)" }.sorted()
                    var parameters = try MatchworkCore.Parameters(settings)
                    var chosen = try RankerTraining.Configuration(parameters: &parameters)
                    chosen.threads = 1
                    let configuration = chosen
                    let engineConfiguration = self.engineConfiguration
                    let registry = self.registry
                    let people = try await store.people(), opportunities = try await store.opportunities(), interactions = try await store.interactions()
                    let version = try await training.runIfActive {
                        try RegistryTraining.trainRanker(
                            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, registry: registry, configuration: configuration,
                            engineConfiguration: engineConfiguration
                        ).metadata.version
                    }
                    saved.append(version)
                } else if let collaborative = CollaborativeKind(rawValue: kind) {
                    let latest = registry.entries(scenario: scenario).last { $0.kind == kind && $0.isUsable }?.metadata
                    let settings = (latest?.hyperParameters ?? [:]).map { "\($0.key)=\($0.value)" }.sorted()
                    let engineConfiguration = self.engineConfiguration
                    let registry = self.registry
                    let version = try await training.runIfActive {
                        var parameters = try MatchworkCore.Parameters(settings)
                        return try RegistryTraining.train(collaborative, snapshot: snapshot, parameters: &parameters, registry: registry, engineConfiguration: engineConfiguration)
                            .metadata.version
                    }
                    saved.append(version)
                }
            }
            await retrainer.report("switching the serving models")
            try await host.refresh()
            return saved
        } catch {
            metrics.retrainFailures.increment()
            throw error
        }
    }

    /// A trained neural model passes when its ranking scores for a sample of the snapshot's
    /// people are finite: a model that produces NaN never serves.
    static func check(_ model: LearnedModel, snapshot: MarketplaceSnapshot) throws {
        let engine = try RecommendationEngine(snapshot: snapshot, learnedModel: model)
        for person in snapshot.people.prefix(20) where person.role != .client {
            let list = try engine.recommend(RecommendationRequest(.person(person.id), count: 5, mode: .neural, explain: false))
            if let bad = list.items.first(where: { !$0.score.isFinite }) {
                throw MatchworkError(.invalidValue, "The new neural model scores \(bad.id) for \(person.id) as \(bad.score); it was not saved. Retrain with other settings.")
            }
        }
    }
}
