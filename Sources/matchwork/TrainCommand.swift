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

    @Option(help: ArgumentHelp("The model to train: neural.", valueName: "MODEL"))
    var model = "neural"

    @Option(name: .customLong("param"), help: ArgumentHelp("A hyper-parameter, e.g. epochs=20 (repeatable).", valueName: "KEY=VALUE"))
    var params: [String] = []

    func run() async throws {
        try await reportingErrors {
            let terminal = Terminal(quiet: options.quiet)
            var parameters = try Parameters(params)
            let configuration = try NeuralTraining.Configuration(parameters: &parameters)
            try parameters.checkAllRead(model: model)
            let store = try options.openExisting()
            let scenario = try await store.scenario()
            let engineConfiguration = try engineOptions.configuration(scenario: scenario)
            let result = try NeuralTraining.train(
                people: try await store.people(), opportunities: try await store.opportunities(), interactions: try await store.interactions(),
                scenario: scenario, configuration: configuration, engineConfiguration: engineConfiguration
            ) { stage, epoch in
                terminal.progress(Self.progressLine(stage: stage, epoch))
            }
            terminal.endProgress()
            terminal.say("neural: \(result.windows) windows, \(grouped(result.lists)) lists, \(grouped(result.examples)) examples; \(grouped(result.ratingExamples)) reviews")
            for target in RankingTarget.allCases {
                guard let report = result.ranking[target], let model = result.model.ranking[target] else { continue }
                terminal.say(Self.summary(target.rawValue, report) + String(format: "; alpha %.3f", model.alpha))
                for (part, metrics) in (result.parts[target] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    terminal.say("  \(part) part only: " + Self.metricsLine(metrics))
                }
            }
            if let rating = result.rating { terminal.say(Self.summary("rating", rating)) }
        }
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

    static func summary(_ name: String, _ r: TrainingReport) -> String {
        "\(name): \(r.epochs) epochs (best \(r.bestEpoch)\(r.stoppedEarly ? ", stopped early" : "")), \(String(format: "%.1f", r.seconds)) s; validation " + metricsLine(r.validation)
    }
}
