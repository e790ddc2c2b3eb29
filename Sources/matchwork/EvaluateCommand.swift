import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Fit a model on a train file and score it on a test file (../shared/PROTOCOL.md).",
        discussion: """
            Files are CSV with the header user,item,rating,timestamp (see `matchwork split`). \
            ranking: top-K lists without the user's train items, scored by precision, recall, \
            NDCG, MAP, hit rate and coverage over the users with rows in both files. Every row \
            counts as an interaction. Models: \(ModelCatalog.evaluatedRankingModels.joined(separator: ", ")). \
            ensemble blends item-knn, user-knn, ease, als and popularity (or components=a,b), with \
            weights chosen on a temporal split of train (or weights=w1,w2); give a component's \
            hyper-parameters as NAME.KEY=VALUE, e.g. als.factors=64.
            rating: a prediction for every test row, clipped to the ratings seen in train, scored \
            by RMSE, MAE and R². A user or item unknown to train gets the biases that are known, \
            and stderr says how many rows needed that. Models: \(ModelCatalog.ratingModels.joined(separator: ", ")).
            ltr: svmlight/LETOR files (label qid:Q index:value ...; or group sizes in FILE.query), \
            scored by NDCG@1, 3, 5 and 10 with gain 2^label − 1. Model: lambdamart (XGBoost, \
            rank:ndcg; --param rounds, max_depth, learning_rate, min_child_weight, subsample, \
            colsample_bytree, lambda, seed, objective=ndcg|pairwise).
            """)

    @Option(help: ArgumentHelp("The train file.", valueName: "FILE"))
    var train: String

    @Option(help: ArgumentHelp("The test file.", valueName: "FILE"))
    var test: String

    @Option(help: "ranking, rating or ltr.")
    var task: String

    @Option(help: ArgumentHelp("The model to fit.", valueName: "NAME"))
    var model: String

    @Option(help: "List length K.")
    var k = 10

    @Option(help: "Worker threads for fitting and scoring.")
    var threads = 2

    @Option(name: .customLong("param"), help: ArgumentHelp("A hyper-parameter, e.g. factors=64 (repeatable).", valueName: "KEY=VALUE"))
    var params: [String] = []

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    @Flag(help: "Search the model's hyper-parameters on the validation pair before fitting on train (--model auto always does).")
    var tune = false

    @Option(help: ArgumentHelp("The search's budget: a number of trials, or a time such as 90s, 10m or 1h.", valueName: "N|TIME"))
    var budget = "30"

    @Option(help: "The search's seed: the same seed tries the same settings in the same order.")
    var seed: UInt64 = 42

    @Option(name: .customLong("validation-train"), help: ArgumentHelp("The search's train file (default: made from --train by the protocol's rule).", valueName: "FILE"))
    var validationTrain: String?

    @Option(name: .customLong("validation-test"), help: ArgumentHelp("The search's test file, given with --validation-train.", valueName: "FILE"))
    var validationTest: String?

    func run() async throws {
        try await reportingErrors {
            guard task == "ranking" || task == "rating" || task == "ltr" else {
                throw MatchworkError(.invalidValue, "--task '\(task)' is not a task; use ranking, rating or ltr.", field: "--task")
            }
            guard (1...1000).contains(k) else { throw MatchworkError(.invalidValue, "--k \(k) must be between 1 and 1000.", field: "--k") }
            guard (1...256).contains(threads) else { throw MatchworkError(.invalidValue, "--threads \(threads) must be between 1 and 256.", field: "--threads") }
            let given = try Parameters(params)
            let searching = tune || model == "auto"
            if task == "ltr" {
                guard !searching else {
                    throw MatchworkError(.invalidValue, "--tune and --model auto search ranking and rating models; for ltr give lambdamart's settings with --param.", field: searching && model == "auto" ? "--model" : "--tune")
                }
                return try runLearningToRank(given)
            }
            let rating = task == "rating"
            let known = rating ? ModelCatalog.ratingModels : ModelCatalog.evaluatedRankingModels
            guard known.contains(model) || model == "auto" else {
                throw MatchworkError(
                    .invalidValue, rating
                        ? "--model '\(model)' does not predict ratings; use one of \((known + ["auto"]).joined(separator: ", "))."
                        : "--model '\(model)' does not rank; use one of \((known + ["auto"]).joined(separator: ", ")).", field: "--model")
            }
            if tune && model == "ensemble" {
                throw MatchworkError(
                    .invalidValue, "--tune searches one model's settings, and the ensemble has none of its own; use --model auto, which tunes each model and tries an ensemble of the best three.",
                    field: "--tune")
            }
            guard (validationTrain == nil) == (validationTest == nil) else {
                throw MatchworkError(.invalidValue, "--validation-train and --validation-test go together; give both, or neither to make them from --train.", field: validationTrain == nil ? "--validation-train" : "--validation-test")
            }
            let trainTable = try RatingFile.read(train)
            let testTable = try RatingFile.read(test, indexedLike: trainTable)
            var name = model, parameters = given
            var report: ModelTuning.Report?
            if searching {
                let found = try search(train: trainTable, task: rating ? .rating : .ranking(k: k), given: given)
                report = found
                name = found.chosen.model
                parameters = Parameters(settings: found.chosen.settings)
            }
            if rating { return try runRating(name, parameters, train: trainTable, test: testTable, report: report) }
            let implicit: (Float) -> Float = { _ in 1 }
            let trainMatrix = InteractionMatrix(trainTable, value: implicit)
            let testMatrix = InteractionMatrix(
                users: testTable.userIDs.count, items: testTable.itemIDs.count,
                entries: (0..<testTable.count).map { (testTable.users[$0], testTable.items[$0], 1) })
            let clock = ContinuousClock()
            let started = clock.now
            let fitted: any TopNModel
            if name == "ensemble" {
                let ensemble = try ModelCatalog.fitEnsemble(train: trainTable, parameters: parameters, k: k, threads: threads)
                Terminal.writeError("note: \(Self.describe(ensemble, k: k))\n")
                fitted = ensemble
            } else {
                fitted = try ModelCatalog.fitRanking(name, train: trainMatrix, parameters: parameters, threads: threads)
            }
            let fitSeconds = Self.seconds(started.duration(to: clock.now))
            let metrics = TopNEvaluation.evaluate(fitted, train: trainMatrix, test: testMatrix, k: k, threads: threads)
            if json {
                var object: [String: Any] = [
                    "model": model, "task": task, "k": k, "params": parameters.settings, "threads": threads,
                    "users_evaluated": metrics.usersEvaluated, "metrics": metrics.named, "fit_seconds": fitSeconds,
                    "recommend_ms_per_user": metrics.recommendMillisecondsPerUser,
                ]
                if let report { object["chosen_model"] = name; object["tuning"] = Self.json(report) }
                try Self.printJSON(object)
            } else {
                if let report { print(Self.summary(report)) }
                print("\(name) on \(grouped(metrics.usersEvaluated)) users, fitted in \(String(format: "%.2f", fitSeconds)) s, \(String(format: "%.3f", metrics.recommendMillisecondsPerUser)) ms per user's top \(k)")
                for (name, value) in metrics.named.sorted(by: { $0.key < $1.key }) { print("  \(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))") }
            }
        }
    }

    /// The search of `--tune` or `--model auto` on the validation pair (given, or made from
    /// train), with each trial on stderr.
    func search(train trainTable: RatingTable, task searchTask: ModelTuning.Task, given: Parameters) throws -> ModelTuning.Report {
        var configuration = HyperparameterSearch.Configuration(seed: seed)
        let budgetText = budget.trimmingCharacters(in: .whitespaces)
        if let trials = Int(budgetText) {
            guard trials >= 1 && trials <= 100_000 else { throw MatchworkError(.invalidValue, "--budget \(budget) must be between 1 and 100,000 trials, or a time such as 10m.", field: "--budget") }
            configuration.trials = trials
        } else if let unit = budgetText.last, let scale = ["s": 1.0, "m": 60.0, "h": 3600.0][String(unit)], let amount = Double(budgetText.dropLast()), amount > 0, amount.isFinite {
            configuration.trials = 100_000
            configuration.seconds = amount * scale
        } else {
            throw MatchworkError(.invalidValue, "--budget '\(budget)' is neither a number of trials (30) nor a time (90s, 10m, 1h).", field: "--budget")
        }
        let models = model == "auto" ? ModelTuning.autoModels(searchTask, items: trainTable.itemIDs.count) : [model]
        var perModel: [String: [String: String]] = [:]
        for (key, value) in given.settings {
            if model == "auto" {
                guard let dot = key.firstIndex(of: "."), models.contains(String(key[..<dot])) else {
                    throw MatchworkError(
                        .invalidValue, "--param \(key)=\(value): with --model auto, name the model the setting is for, as MODEL.KEY (als.factors=32..128); the models are \(models.joined(separator: ", ")).",
                        field: key)
                }
                perModel[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = value
            } else {
                perModel[model, default: [:]][key] = value
            }
        }
        let pair: (train: RatingTable, test: RatingTable)
        if let validationTrain, let validationTest {
            let inner = try RatingFile.read(validationTrain)
            pair = (inner, try RatingFile.read(validationTest, indexedLike: inner))
        } else {
            pair = try ModelTuning.validationSplit(trainTable, task: searchTask, seed: 42)
        }
        let total = configuration.seconds == nil ? "\(configuration.trials)" : budget
        let report = try ModelTuning.search(
            searchTask, models: models, given: perModel, validationTrain: pair.train, validationTest: pair.test, configuration: configuration,
            ensembleOf: model == "auto" ? 3 : 0, threads: threads
        ) { trial, best in
            let settings = trial.trial.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let figure = trial.figure.map { String(format: "%.4f", $0) } ?? "failed (\(trial.trial.failure ?? "?"))"
            let lead = best.map { " (best \($0.model) \(String(format: "%.4f", $0.figure)))" } ?? ""
            Terminal.writeError("trial \(trial.trial.index + 1)/\(total) \(trial.model) \(settings.isEmpty ? "defaults" : settings): \(searchTask.metric) \(figure)\(lead), \(String(format: "%.2f", trial.trial.seconds)) s\n")
        }
        return report
    }

    /// The search for `--json`: every trial, and the choice.
    static func json(_ report: ModelTuning.Report) -> [String: Any] {
        [
            "metric": report.task.metric, "validation_size": report.validationSize, "seconds": report.seconds,
            "chosen": ["model": report.chosen.model, "params": report.chosen.settings, "validation": report.chosen.figure] as [String: Any],
            "trials": report.trials.map { trial -> [String: Any] in
                var entry: [String: Any] = ["model": trial.model, "params": trial.trial.settings, "seconds": trial.trial.seconds]
                entry["validation"] = trial.figure ?? NSNull()
                if let failure = trial.trial.failure { entry["failure"] = failure }
                return entry
            },
        ]
    }

    /// The search in one line: what was chosen, on what, over how many trials.
    static func summary(_ report: ModelTuning.Report) -> String {
        let settings = report.chosen.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "tuned on validation (\(grouped(report.validationSize)) \(report.task == .rating ? "rows" : "users"), \(report.trials.count) trials, \(String(format: "%.2f", report.seconds)) s): "
            + "\(report.chosen.model) \(settings.isEmpty ? "with its defaults" : settings), \(report.task.metric) \(String(format: "%.4f", report.chosen.figure)) there"
    }

    func runRating(_ name: String, _ parameters: Parameters, train trainTable: RatingTable, test testTable: RatingTable, report: ModelTuning.Report?) throws {
        let range = try RatingEvaluation.range(of: trainTable)
        let clock = ContinuousClock()
        let started = clock.now
        let fitted = try ModelCatalog.fitRating(name, train: InteractionMatrix(trainTable), parameters: parameters)
        let fitSeconds = Self.seconds(started.duration(to: clock.now))
        let metrics = RatingEvaluation.evaluate(fitted, test: testTable, range: range)
        for basis in RatingPrediction.Basis.allCases where basis != .model {
            guard let count = metrics.bases[basis], count > 0 else { continue }
            Terminal.writeError("note: \(grouped(count)) of \(grouped(metrics.rowsEvaluated)) test rows: \(basis.explanation)\n")
        }
        if json {
            var object: [String: Any] = [
                "model": model, "task": task, "k": k, "params": parameters.settings, "threads": threads,
                "rows_evaluated": metrics.rowsEvaluated, "metrics": metrics.named, "fit_seconds": fitSeconds,
                "recommend_ms_per_user": metrics.predictMicrosecondsPerRow / 1000,
            ]
            if let report { object["chosen_model"] = name; object["tuning"] = Self.json(report) }
            try Self.printJSON(object)
        } else {
            if let report { print(Self.summary(report)) }
            print("\(name) on \(grouped(metrics.rowsEvaluated)) test rows, fitted in \(String(format: "%.2f", fitSeconds)) s, \(String(format: "%.2f", metrics.predictMicrosecondsPerRow)) µs per prediction")
            for (name, value) in metrics.named.sorted(by: { $0.key < $1.key }) { print("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))") }
        }
    }

    func runLearningToRank(_ parameters: Parameters) throws {
        guard model == "lambdamart" else {
            throw MatchworkError(.invalidValue, "--model '\(model)' does not learn to rank; use lambdamart.", field: "--model")
        }
        var parameters = parameters
        enum Objective: String, CaseIterable { case ndcg, pairwise }
        var objective = Objective.ndcg
        try parameters.choice("objective", into: &objective)
        var settings = BoostingParameters(objective: objective == .ndcg ? .rankNDCG : .rankPairwise)
        try parameters.int("rounds", into: &settings.rounds)
        try parameters.int("max_depth", into: &settings.maxDepth)
        try parameters.double("learning_rate", into: &settings.learningRate)
        try parameters.double("min_child_weight", into: &settings.minChildWeight)
        try parameters.double("subsample", into: &settings.subsample)
        try parameters.double("colsample_bytree", into: &settings.columnSample)
        try parameters.double("lambda", into: &settings.lambda)
        try parameters.int("seed", into: &settings.seed)
        try parameters.checkAllRead(model: model)
        settings.threads = threads
        let trainFile = try SVMLightFile.read(train), testFile = try SVMLightFile.read(test)
        let columns = max(trainFile.maxIndex, testFile.maxIndex) + 1
        guard columns >= 1 else { throw MatchworkError(.invalidValue, "'\(train)' and '\(test)' give no feature; write index:value pairs after each label.", field: "--train") }
        let trainData = try trainFile.boostingData(columns: columns), testData = try testFile.boostingData(columns: columns)
        let clock = ContinuousClock()
        let started = clock.now
        let booster = try Booster.train(trainData, parameters: settings)
        let fitSeconds = Self.seconds(started.duration(to: clock.now))
        let predictStarted = clock.now
        let scores = try booster.predict(testData)
        let predictSeconds = Self.seconds(predictStarted.duration(to: clock.now))
        var sums = [1: 0.0, 3: 0.0, 5: 0.0, 10: 0.0]
        var start = 0, withoutRelevant = 0
        for size in testFile.groups {
            let range = start..<(start + size)
            if testFile.labels[range].allSatisfy({ $0 == 0 }) { withoutRelevant += 1 }
            for k in sums.keys { sums[k]! += RankingMetrics.gradedNDCG(scores: scores[range], labels: testFile.labels[range], k: k) }
            start += size
        }
        let queries = testFile.groups.count
        let metrics = Dictionary(uniqueKeysWithValues: sums.map { ("ndcg@\($0.key)", $0.value / Double(queries)) })
        if withoutRelevant > 0 { Terminal.writeError("note: \(withoutRelevant) of \(queries) test queries have no relevant document; each scores NDCG 1, as LightGBM and XGBoost count it\n") }
        if json {
            let object: [String: Any] = [
                "model": model, "task": task, "params": parameters.settings, "threads": threads, "queries_evaluated": queries,
                "documents_evaluated": testFile.labels.count, "features": columns, "metrics": metrics, "fit_seconds": fitSeconds,
                "predict_ms_per_query": 1000 * predictSeconds / Double(max(1, queries)),
            ]
            try Self.printJSON(object)
        } else {
            print("\(model) on \(grouped(queries)) test queries (\(grouped(testFile.labels.count)) documents, \(columns) features), fitted in \(String(format: "%.2f", fitSeconds)) s on \(grouped(trainFile.groups.count)) queries")
            for (name, value) in metrics.sorted(by: { Int($0.key.dropFirst(5))! < Int($1.key.dropFirst(5))! }) { print("  \(name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))") }
        }
    }

    /// The ensemble's weights and where they came from, for stderr.
    static func describe(_ ensemble: EnsembleModel, k: Int) -> String {
        let weights = zip(ensemble.components, ensemble.weights).map { "\($0) \(String(format: "%.2f", $1))" }.joined(separator: ", ")
        guard let tuning = ensemble.tuning else { return "ensemble weights as given: \(weights)" }
        return "ensemble weights chosen on a temporal split of train (\(grouped(tuning.users)) users): \(weights); "
            + "its NDCG@\(k) there \(String(format: "%.4f", tuning.ndcg)), best single component \(tuning.bestSingle.name) \(String(format: "%.4f", tuning.bestSingle.ndcg))"
    }

    /// The contract's one JSON object, keys sorted, on stdout.
    static func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func seconds(_ duration: Duration) -> Double {
        duration.inSeconds
    }
}
