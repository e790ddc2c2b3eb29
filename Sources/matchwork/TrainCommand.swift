import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models from the store and save them, versioned, in the model registry.",
        discussion: """
            neural: the hybrid of a collaborative part (person and opportunity embeddings) and a \
            content part (the pair's features), blended by a learned alpha, trained on the hires \
            of the last windows of history (and on reviews, for ratings). Parameters: \
            embedding_width, category_width, epochs, batch_size, learning_rate, weight_decay, \
            patience, windows, horizon_days, negatives, compare_parts (0 or 1), seed.
            """)

    @OptionGroup var options: StoreOptions

    @OptionGroup var engineOptions: EngineOptions

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: ArgumentHelp("The model to train: neural.", valueName: "MODEL"))
    var model = "neural"

    @Option(name: .customLong("param"), help: ArgumentHelp("A hyper-parameter, e.g. epochs=20 (repeatable).", valueName: "KEY=VALUE"))
    var params: [String] = []

    @Flag(help: "Print the saved model's metadata as JSON instead of a summary.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            guard model == "neural" else {
                throw MatchworkError(.unknownVocabulary, "--model '\(model)' cannot be trained into the registry; use neural (the collaborative models are fitted by `matchwork evaluate` and by the engine itself).", field: "--model")
            }
            var parameters = try Parameters(params)
            let configuration = try NeuralTraining.Configuration(parameters: &parameters)
            try parameters.checkAllRead(model: model)
            let store = try options.openExisting()
            let terminal = Terminal(quiet: options.quiet || json)
            let metadata = try await Self.trainAndSave(
                store: store, registry: modelOptions.registry(store: options.store), configuration: configuration,
                engineConfiguration: try engineOptions.configuration(scenario: try await store.scenario()), terminal: terminal)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(metadata), as: UTF8.self))
            }
        }
    }

    /// Trains the neural model on the store, saves it as the registry's next version and
    /// prints a summary; returns its metadata.
    static func trainAndSave(
        store: SQLiteStore, registry: ModelRegistry, configuration: NeuralTraining.Configuration, engineConfiguration: EngineConfiguration, terminal: Terminal
    ) async throws -> ModelMetadata {
        let scenario = try await store.scenario()
        let people = try await store.people(), opportunities = try await store.opportunities(), interactions = try await store.interactions()
        let started = monotonicSeconds()
        let result = try NeuralTraining.train(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, configuration: configuration,
            engineConfiguration: engineConfiguration
        ) { stage, epoch in
            terminal.progress(Self.progressLine(stage: stage, epoch))
        }
        terminal.endProgress()
        let seconds = monotonicSeconds() - started
        var metrics: [String: NeuralMetrics] = [:]
        var alpha: [String: Double] = [:]
        for (target, report) in result.ranking {
            metrics[target.rawValue] = report.validation
            alpha[target.rawValue] = Double(result.model.ranking[target]?.alpha ?? 0)
            for (part, m) in result.parts[target] ?? [:] { metrics["\(target.rawValue)/\(part)"] = m }
        }
        if let rating = result.rating { metrics["rating"] = rating.validation }
        let formatter = ISO8601DateFormatter()
        let metadata = try registry.save(result.model) { version, sha256, bytes in
            ModelMetadata(
                version: version, kind: "neural", createdAt: formatter.string(from: Date()), scenario: scenario?.rawValue, formatVersion: 1, sha256: sha256,
                bytes: bytes,
                data: [
                    "people": people.count, "opportunities": opportunities.count, "interactions": interactions.count, "windows": result.windows,
                    "lists": result.lists, "examples": result.examples, "reviews": result.ratingExamples,
                ],
                hyperParameters: configuration.settings, metrics: metrics, alpha: alpha, trainingSeconds: seconds,
                idMaps: ["people": result.model.encoder.personIDs, "opportunities": result.model.encoder.opportunityKeys])
        }
        terminal.say("Trained \(metadata.version) in \(String(format: "%.1f", seconds)) s on \(result.windows) windows of \(configuration.horizonDays) days: \(grouped(result.lists)) lists, \(grouped(result.examples)) pairs, \(grouped(result.ratingExamples)) reviews")
        for target in RankingTarget.allCases {
            guard let report = result.ranking[target], let model = result.model.ranking[target] else { continue }
            terminal.say("  \(target.rawValue): " + Self.summary(report) + String(format: "; alpha %.3f", model.alpha))
            for (part, m) in (result.parts[target] ?? [:]).sorted(by: { $0.key < $1.key }) {
                terminal.say("    \(part) part alone: " + Self.metricsLine(m))
            }
        }
        if let rating = result.rating { terminal.say("  rating: " + Self.summary(rating)) }
        terminal.say("Saved to \(registry.path)/\(metadata.version).mwm (SHA-256 \(metadata.sha256.prefix(16))…); it serves unless a version is pinned (`matchwork models`).")
        return metadata
    }

    static func progressLine(stage: String, _ e: EpochReport) -> String {
        let metric = e.validation.headline
        return String(
            format: "%@ epoch %d/%d  loss %.4f  validation loss %.4f  %@ %.4f  lr %.2g  %.0f s left", stage, e.epoch, e.epochs, e.trainingLoss, e.validation.loss,
            metric.name, metric.value, Double(e.learningRate), e.secondsLeft)
    }

    static func metricsLine(_ m: NeuralMetrics) -> String {
        if let ndcg = m.ndcgAt10 {
            return String(
                format: "loss %.4f  precision@10 %.4f  recall@10 %.4f  NDCG@10 %.4f  hit@3 %.1f%%  (%d lists)", m.loss, m.precisionAt10 ?? 0, m.recallAt10 ?? 0, ndcg,
                (m.hitRateAt3 ?? 0) * 100, m.lists ?? 0)
        }
        return String(format: "MSE %.4f  RMSE %.4f  MAE %.4f  R² %.3f  (%d pairs, 0-1 scale)", m.mse ?? 0, (m.mse ?? 0).squareRoot(), m.mae ?? 0, m.r2 ?? 0, m.examples)
    }

    static func summary(_ r: TrainingReport) -> String {
        "\(r.epochs) epochs (best \(r.bestEpoch)\(r.stoppedEarly ? ", stopped early" : "")), \(String(format: "%.1f", r.seconds)) s; validation " + metricsLine(r.validation)
    }
}
