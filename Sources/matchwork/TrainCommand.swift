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
            of the last windows of history (and on reviews for ratings, on bids for the bid \
            head). Parameters: embedding_width, category_width, epochs, batch_size, \
            learning_rate, weight_decay, patience, windows, horizon_days, negatives, \
            compare_parts (0 or 1), seed, bid_epochs, bid_learning_rate.

            als, bpr, item-knn: ranking models of the net positive interest (applications, bids, \
            hires); als is what the engine's collaborative component serves. mf: biased matrix \
            factorisation of review ratings (0-1). Each is measured on a seeded held-out share \
            (parameter holdout, 0.2), then refitted on everything and saved. Parameters: \
            als: factors, iterations, regularization, alpha, seed; bpr: factors, iterations, \
            learning_rate, negatives, redraws, regularization, seed; item-knn: neighbours, \
            shrink; mf: factors, iterations, learning_rate, regularization, \
            bias_regularization, decay, init_std, seed.

            ranker: the learned ranker, LambdaMART through XGBoost, one booster per kind of list \
            over every component's score and features relative to the list, trained on the same \
            windows; a kind of list it does not rank better than the ensemble on the latest \
            window is left to the ensemble. Parameters: windows, horizon_days, negatives, \
            max_subjects, rounds, max_depth, learning_rate, min_child_weight, subsample, \
            colsample_bytree, early_stopping_rounds, objective, refit, min_component_gain, \
            neural_every (windows per neural model for the neural score columns, trained with \
            the serving neural model's settings; 0: none), neural_lag (how many windows older \
            than the windows it scores that model is; 1), seed, threads.

            all: every model in turn (the ranker last, against the new neural model); give \
            parameters as MODEL.KEY=VALUE (als.factors=64, neural.epochs=20). A model the data cannot train (too few reviews for mf) is \
            skipped with the reason; the command fails only when none could be trained.
            """)

    @OptionGroup var options: StoreOptions

    // The engine settings the trained model is checked with; not listed: they are recommend's.
    @OptionGroup(visibility: .hidden) var engineOptions: EngineOptions

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: ArgumentHelp("The model to train: neural, als, bpr, item-knn, mf, ranker or all.", valueName: "MODEL"))
    var model = "neural"

    @Option(name: .customLong("param"), help: ArgumentHelp("A hyper-parameter, e.g. epochs=20 (repeatable).", valueName: "KEY=VALUE"))
    var params: [String] = []

    @Flag(help: "Print the saved model's metadata as JSON instead of a summary.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let kinds = try Self.kinds(model)
            var parameters = try Parameters(params)
            // Per kind: its parameters (scoped as KIND.key with --model all).
            var scoped: [String: Parameters] = [:]
            if kinds.count == 1 {
                scoped[kinds[0]] = parameters
            } else {
                for kind in kinds { scoped[kind] = parameters.scoped(kind) }
                if let key = parameters.values.keys.filter({ key in !kinds.contains { key.hasPrefix($0 + ".") } }).sorted().first {
                    throw MatchworkError(
                        .invalidConfiguration,
                        "parameter '\(key)' does not name its model; with --model all write MODEL.KEY=VALUE (als.factors=64, neural.epochs=20), MODEL one of \(kinds.joined(separator: ", ")).",
                        field: key)
                }
            }
            // Check every kind's parameters before training any.
            var neural: NeuralTraining.Configuration?
            if var p = scoped["neural"] {
                neural = try NeuralTraining.Configuration(parameters: &p)
                try p.checkAllRead(model: "neural")
            }
            var ranker: RankerTraining.Configuration?
            if var p = scoped["ranker"] {
                ranker = try RankerTraining.Configuration(parameters: &p)
                try p.checkAllRead(model: "ranker")
            }
            let store = try options.openExisting()
            let scenario = try await store.scenario()
            let terminal = Terminal(quiet: options.quiet || json)
            let registry = modelOptions.registry(store: options.store)
            let engineConfiguration = try engineOptions.configuration(scenario: scenario)
            var saved: [ModelMetadata] = []
            var skipped: [(kind: String, reason: String)] = []
            var snapshot: MarketplaceSnapshot?
            for kind in kinds {
                do {
                    if kind == "neural", let neural {
                        saved.append(try await Self.trainAndSave(store: store, registry: registry, configuration: neural, engineConfiguration: engineConfiguration, terminal: terminal))
                    } else if kind == "ranker", let ranker {
                        saved.append(try await Self.trainAndSave(store: store, registry: registry, ranker: ranker, engineConfiguration: engineConfiguration, terminal: terminal))
                    } else if let collaborative = CollaborativeKind(rawValue: kind) {
                        if snapshot == nil { snapshot = try await store.snapshot(now: nil) }
                        var p = try scoped[kind] ?? Parameters([])
                        saved.append(try Self.trainAndSave(collaborative, snapshot: snapshot!, parameters: &p, registry: registry, engineConfiguration: engineConfiguration, terminal: terminal))
                    }
                } catch let error as MatchworkError where kinds.count > 1 {
                    // With --model all, a kind the data cannot train is skipped, with why; the
                    // parameters were all checked before any training.
                    terminal.endProgress()
                    skipped.append((kind, error.message))
                    Terminal.writeError("Skipped \(kind): \(error.message)\n")
                }
            }
            if kinds.count > 1 {
                guard !saved.isEmpty else {
                    throw MatchworkError(
                        .invalidValue,
                        "No model could be trained on '\(options.store)': " + skipped.map { "\($0.kind): \($0.reason)" }.joined(separator: " ") + " Add more history (events) and train again.")
                }
                terminal.say(
                    "Trained \(saved.count) of \(kinds.count) models (\(saved.map(\.version).joined(separator: ", ")))"
                        + (skipped.isEmpty ? "." : "; skipped \(skipped.map(\.kind).joined(separator: ", ")), for the reasons above."))
            }
            if json {
                let encoder = CLIJSON.encoder()
                let output: any Encodable = saved.count == 1 ? saved[0] : saved
                print(String(decoding: try encoder.encode(output), as: UTF8.self))
            }
        }
    }

    /// The kinds `--model` names, in training order.
    static func kinds(_ model: String) throws(MatchworkError) -> [String] {
        if model == "all" { return CollaborativeKind.allCases.map(\.rawValue) + ["neural", "ranker"] }
        guard RegistryModel.kinds.contains(model) else {
            throw MatchworkError(.unknownVocabulary, "--model '\(model)' is not a model matchwork trains; use one of \(RegistryModel.kinds.joined(separator: ", ")) or all.", field: "--model")
        }
        return [model]
    }

    /// Trains a collaborative model on `snapshot`, saves it as the registry's next version and
    /// prints a summary; returns its metadata.
    static func trainAndSave(
        _ kind: CollaborativeKind, snapshot: MarketplaceSnapshot, parameters: inout Parameters, registry: ModelRegistry, engineConfiguration: EngineConfiguration,
        terminal: Terminal
    ) throws -> ModelMetadata {
        terminal.progress("Training \(kind.rawValue)…")
        let (metadata, result) = try RegistryTraining.train(kind, snapshot: snapshot, parameters: &parameters, registry: registry, engineConfiguration: engineConfiguration)
        terminal.endProgress()
        let what = kind == .mf ? "\(grouped(result.data["reviews"] ?? 0)) reviews" : "\(grouped(result.data["pairs"] ?? 0)) pairs of interest"
        terminal.say("Trained \(metadata.version) in \(String(format: "%.1f", result.seconds)) s on \(what); held out \(grouped(result.data["held_out"] ?? 0)):")
        terminal.say("  " + Self.metricsLine(result.validation, lists: "people"))
        if kind == .mf, let r2 = result.validation.r2, r2 < 0 {
            Terminal.writeError(
                "warning: \(metadata.version) predicts the held-out reviews worse than their mean (R² \(String(format: "%.2f", r2)) on \(grouped(result.data["held_out"] ?? 0))); "
                    + "with \(grouped(result.data["reviews"] ?? 0)) reviews it has too little to learn from.\n")
        }
        let use = kind == .als ? "it serves the collaborative component unless a version is pinned" : "listed by `matchwork models`; the engine does not serve \(kind.rawValue)"
        terminal.say("Saved to \(registry.path)/\(metadata.version).mwm (SHA-256 \(metadata.sha256.prefix(16))…); \(use).")
        return metadata
    }

    /// Trains the neural model on the store, saves it as the registry's next version and
    /// prints a summary; returns its metadata.
    static func trainAndSave(
        store: SQLiteStore, registry: ModelRegistry, configuration: NeuralTraining.Configuration, engineConfiguration: EngineConfiguration, terminal: Terminal
    ) async throws -> ModelMetadata {
        let (metadata, result, seconds) = try await RegistryTraining.trainNeural(
            store: store, registry: registry, configuration: configuration, engineConfiguration: engineConfiguration
        ) { stage, epoch in
            terminal.progress(Self.progressLine(stage: stage, epoch))
        }
        terminal.endProgress()
        terminal.say("Trained \(metadata.version) in \(String(format: "%.1f", seconds)) s on \(result.windows) windows of \(configuration.horizonDays) days: \(grouped(result.lists)) lists, \(grouped(result.examples)) pairs, \(grouped(result.ratingExamples)) reviews")
        for target in RankingTarget.allCases {
            guard let report = result.ranking[target], let model = result.model.ranking[target] else { continue }
            terminal.say("  \(target.rawValue): " + Self.summary(report) + String(format: "; alpha %.3f", model.alpha))
            for (part, m) in (result.parts[target] ?? [:]).sorted(by: { $0.key < $1.key }) {
                terminal.say("    \(part) part alone: " + Self.metricsLine(m))
            }
        }
        if let rating = result.rating { terminal.say("  rating: " + Self.summary(rating)) }
        if let bid = result.bid {
            terminal.say(
                "  bid head: \(bid.epochs) epochs (\(bid.bestEpoch == 0 ? "no epoch improved on the initial weights, which are kept" : "best \(bid.bestEpoch)")) on \(grouped(bid.trainingExamples)) bids; held-out jobs: " + Self.metricsLine(bid.validation)
                    + String(format: "; constant amounts' pinball loss %.2f; [min, max] widened by %.2f by split-conformal calibration (%.1f%% of bids inside before; coverage cross-fitted on halves of the held-out jobs)", bid.constantPinball, bid.margin, (bid.uncalibratedCoverage ?? 0) * 100))
        }
        terminal.say("Saved to \(registry.path)/\(metadata.version).mwm (SHA-256 \(metadata.sha256.prefix(16))…); it serves unless a version is pinned (`matchwork models`).")
        return metadata
    }

    /// Trains the learned ranker on the store, saves it as the registry's next version and
    /// prints a summary; returns its metadata.
    static func trainAndSave(
        store: SQLiteStore, registry: ModelRegistry, ranker configuration: RankerTraining.Configuration, engineConfiguration: EngineConfiguration, terminal: Terminal
    ) async throws -> ModelMetadata {
        let (metadata, result, seconds) = try await RegistryTraining.trainRanker(
            store: store, registry: registry, configuration: configuration, engineConfiguration: engineConfiguration
        ) { terminal.progress("ranker: " + $0) }
        terminal.endProgress()
        terminal.say("Trained \(metadata.version) in \(String(format: "%.1f", seconds)) s on \(result.windows) windows of \(configuration.horizonDays) days")
        for target in RankingTarget.allCases {
            guard let report = result.stages[target] else { continue }
            let figures = String(
                format: "validation NDCG@10 %.4f against the ensemble's %.4f (%d lists)", report.rankerValidationNDCG, report.ensembleValidationNDCG, report.validationLists)
            if report.kept {
                let top = report.importance.prefix(3).map { "\($0.feature) \(String(format: "%.0f%%", $0.share * 100))" }.joined(separator: ", ")
                terminal.say("  \(target.rawValue): \(report.objective), \(report.rounds) rounds on \(grouped(report.lists)) lists, \(grouped(report.rows)) rows; \(figures); most gain: \(top)")
                var notes: [String] = []
                if !report.prunedComponents.isEmpty { notes.append("pruned \(report.prunedComponents.joined(separator: ", ")) (little gain; not scored when serving)") }
                if let scale = report.choiceScale { notes.append(String(format: "choice scale %.3f (hire probabilities)", scale)) }
                if !notes.isEmpty { terminal.say("    " + notes.joined(separator: "; ")) }
            } else {
                terminal.say("  \(target.rawValue): not kept, \(figures); the ensemble ranks these lists")
            }
        }
        terminal.say("Saved to \(registry.path)/\(metadata.version).mwm (SHA-256 \(metadata.sha256.prefix(16))…); it serves `ranked` and the ensemble's final stage unless a version is pinned.")
        return metadata
    }

    static func progressLine(stage: String, _ e: EpochReport) -> String {
        let metric = e.validation.headline
        return String(
            format: "%@ epoch %d/%d  loss %.4f  validation loss %.4f  %@ %.4f  lr %.2g  %.0f s left", stage, e.epoch, e.epochs, e.trainingLoss, e.validation.loss,
            metric.name, metric.value, Double(e.learningRate), e.secondsLeft)
    }

    static func metricsLine(_ m: NeuralMetrics, lists: String = "lists") -> String {
        if let ndcg = m.ndcgAt10 {
            return String(
                format: "%@precision@10 %.4f  recall@10 %.4f  NDCG@10 %.4f  hit@3 %.1f%%  (%d %@)", lists == "lists" ? String(format: "loss %.4f  ", m.loss) : "",
                m.precisionAt10 ?? 0, m.recallAt10 ?? 0, ndcg, (m.hitRateAt3 ?? 0) * 100, m.lists ?? 0, lists)
        }
        if let pinball = m.pinball {
            return String(
                format: "pinball loss %.2f  [min, max] covers %.1f%% of bids  winning bid inside %.1f%%  optimal off the winning bid by %.2f  (%d bids)", pinball,
                (m.coverage ?? 0) * 100, (m.winningInside ?? 0) * 100, m.mae ?? 0, m.examples)
        }
        return String(format: "MSE %.4f  RMSE %.4f  MAE %.4f  R² %.3f  (%d pairs, 0-1 scale)", m.mse ?? 0, (m.mse ?? 0).squareRoot(), m.mae ?? 0, m.r2 ?? 0, m.examples)
    }

    static func summary(_ r: TrainingReport) -> String {
        "\(r.epochs) epochs (best \(r.bestEpoch)\(r.stoppedEarly ? ", stopped early" : "")), \(String(format: "%.1f", r.seconds)) s; validation " + metricsLine(r.validation)
    }
}
