import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Measure relevance on the store's latest outcomes: hit rate@3 and NDCG@10 per mode and direction.",
        discussion: """
            Holds out the latest hires (enrolments for learning), rebuilds the marketplace as it \
            was just before them, and checks whether each mode would have recommended what \
            happened: opportunities for each hired person, people for each filled opportunity \
            (among everyone, and among its applicants). Metrics follow ../shared/PROTOCOL.md.
            """)

    @OptionGroup var options: StoreOptions

    @OptionGroup var engineOptions: EngineOptions

    @Option(help: ArgumentHelp("Modes to compare, comma-separated (default: all).", valueName: "MODES"))
    var modes: String?

    @Option(help: "Share of outcomes held out (latest first).")
    var holdout = 0.2

    @Option(name: .customLong("horizon-days"), help: "Days after the cut whose outcomes are scored.")
    var horizonDays = 14

    @Option(name: .customLong("max-subjects"), help: "At most this many subjects per direction.")
    var maxSubjects = 2000

    @Flag(name: .customLong("no-tuning"), help: "Skip tuning ensemble weights on the validation window before the cut.")
    var noTuning = false

    @Flag(name: .customLong("no-neural"), help: "Do not train the neural model (neural falls back to rule_based; the ensemble has no learned share).")
    var noNeural = false

    @Option(name: .customLong("neural-param"), help: ArgumentHelp("A hyper-parameter of the neural model, as for `train` (repeatable).", valueName: "KEY=VALUE"))
    var neuralParams: [String] = []

    @Flag(name: .customLong("no-ranker"), help: "Do not train the learned ranker (ranked falls back to the ensemble).")
    var noRanker = false

    @Option(name: .customLong("ranker-param"), help: ArgumentHelp("A hyper-parameter of the learned ranker: windows, horizon_days, negatives, max_subjects, rounds, max_depth, learning_rate, min_child_weight, subsample, colsample_bytree, early_stopping_rounds, objective, refit, min_component_gain, neural_every, neural_lag, seed, threads (repeatable).", valueName: "KEY=VALUE"))
    var rankerParams: [String] = []

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let modes = try (modes?.split(separator: ",").map { (m) throws(MatchworkError) in try RecommendationMode.parse(String(m), field: "--modes") }) ?? RecommendationMode.allCases
            guard horizonDays >= 1, horizonDays <= 365 else {
                throw MatchworkError(.invalidValue, "--horizon-days \(horizonDays) must be between 1 and 365.", field: "--horizon-days")
            }
            var parameters = try Parameters(neuralParams, field: "--neural-param")
            var neural = try NeuralTraining.Configuration(parameters: &parameters)
            try parameters.checkAllRead(model: "neural")
            if parameters.values["compare_parts"] == nil { neural.compareParts = false }
            var rankerParameters = try Parameters(rankerParams, field: "--ranker-param")
            let ranker = try RankerTraining.Configuration(parameters: &rankerParameters)
            try rankerParameters.checkAllRead(model: "ranker")
            let store = try options.openForReading()
            let scenario = try await store.scenario()
            let configuration = try engineOptions.configuration(scenario: scenario)
            // A generated marketplace keeps its choice model: the ceiling row ranks by it.
            var choices: [OpportunityID: [PersonID: Double]] = [:]
            if let scenario, let document = try await store.groundTruth(for: scenario),
                let truth = try? JSONDecoder().decode(GroundTruth.self, from: Data(document.utf8))
            {
                choices = truth.choiceProbabilities
            }
            let started = monotonicSeconds()
            let terminal = Terminal(quiet: options.quiet || json)
            let report = try await Backtest.run(
                people: try await store.people(), opportunities: try await store.opportunities(), interactions: try await store.interactions(),
                scenario: scenario, modes: modes, configuration: configuration, holdoutShare: holdout, horizonDays: horizonDays, maxSubjects: maxSubjects,
                tune: !noTuning, neural: noNeural ? nil : neural, ranker: noRanker ? nil : ranker, choiceProbabilities: choices,
                progress: { stage, epoch in terminal.progress("training the neural model before the cut: " + TrainCommand.progressLine(stage: stage, epoch)) },
                rankerProgress: { terminal.progress("training the ranker before the cut: " + $0) })
            terminal.endProgress()
            if json {
                let encoder = CLIJSON.encoder()
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            print("Backtest\(report.scenario.map { " of \($0)" } ?? ""): cut \(report.cut.iso8601), \(report.testOutcomes) \(report.outcomeType) outcomes in the next \(report.horizonDays) days (\(String(format: "%.1f", monotonicSeconds() - started)) s)")
            let width = max(15, report.rows.map(\.mode.count).max() ?? 0)
            print("direction                  " + "mode".padding(toLength: width, withPad: " ", startingAt: 0) + " subjects  hit@3    NDCG@10  answered by")
            for row in report.rows {
                let answered = row.answeredBy.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print(row.direction.padding(toLength: 26, withPad: " ", startingAt: 0) + " " + row.mode.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: " %8d  %5.1f%%  %7.4f  ", row.subjects, row.hitRateAt3 * 100, row.ndcgAt10) + answered)
            }
            if let ceiling = report.rows.first(where: { $0.mode == Backtest.ceiling }), ceiling.hitRateAt3 > 0 {
                let shares = report.rows.filter { $0.direction == ceiling.direction && $0.mode != Backtest.ceiling }
                    .map { "\($0.mode) " + String(format: "%.3f", $0.hitRateAt3 / ceiling.hitRateAt3) }
                print("")
                print("rank_applicants hit@3 as a share of the ceiling (each job's bidders ranked by the generator's hidden choice probabilities):")
                print("  " + shares.joined(separator: ", "))
            }
            if let c = report.hireCalibration, let predicted = c.meanPredicted, let observed = c.observedWinRate, let error = c.calibrationError {
                print("")
                print(String(format: "ranker hire probabilities of the test jobs' %d bidders: mean predicted %.3f, observed %.3f, calibration error %.3f", c.decided, predicted, observed, error))
                print("  " + c.bands.map { String(format: "%.1f-%.1f: %d predicted %.3f observed %.3f", $0.low, $0.high, $0.bids, $0.meanPredicted, $0.observed) }.joined(separator: "; "))
            }
            if !report.ratingRows.isEmpty {
                print("")
                print("ratings of the \(report.ratingRows[0].reviews) reviews in the test window (0-1 scale)")
                print("mode            RMSE     MAE      R²")
                for row in report.ratingRows {
                    print(row.mode.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: " %.4f   %.4f   %6.3f", row.rmse, row.mae, row.r2))
                }
            }
            if let validationCut = report.validationCut {
                print("")
                print("ensemble_tuned: weights chosen on the \(report.validationOutcomes) outcomes of the \(report.horizonDays) days before the cut (from \(validationCut.iso8601)), by NDCG@10 over a 0.1 grid; use them with:")
                if report.tuning.isEmpty {
                    print("  (fewer than \(Backtest.minimumTuningSubjects) validation subjects in every direction: the defaults were kept)")
                }
                for tuning in report.tuning {
                    print("  --ensemble-weights \(tuning.setting)" + String(format: "   (validation: %d subjects, hit@3 %.1f%%, NDCG@10 %.4f)", tuning.subjects, tuning.validationHitRateAt3 * 100, tuning.validationNDCGAt10))
                }
            }
        }
    }
}
