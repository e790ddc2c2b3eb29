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

    func run() async throws {
        try await reportingErrors {
            guard task == "ranking" || task == "rating" || task == "ltr" else {
                throw MatchworkError(.invalidValue, "--task '\(task)' is not a task; use ranking, rating or ltr.", field: "--task")
            }
            guard (1...1000).contains(k) else { throw MatchworkError(.invalidValue, "--k \(k) must be between 1 and 1000.", field: "--k") }
            guard (1...256).contains(threads) else { throw MatchworkError(.invalidValue, "--threads \(threads) must be between 1 and 256.", field: "--threads") }
            let parameters = try Parameters(params)
            if task == "rating" { return try runRating(parameters) }
            if task == "ltr" { return try runLearningToRank(parameters) }
            guard ModelCatalog.evaluatedRankingModels.contains(model) else {
                throw MatchworkError(
                    .invalidValue, "--model '\(model)' does not rank; use one of \(ModelCatalog.evaluatedRankingModels.joined(separator: ", ")).", field: "--model")
            }
            let trainTable = try RatingFile.read(train)
            let testTable = try RatingFile.read(test, indexedLike: trainTable)
            let implicit: (Float) -> Float = { _ in 1 }
            let trainMatrix = InteractionMatrix(trainTable, value: implicit)
            let testMatrix = InteractionMatrix(
                users: testTable.userIDs.count, items: testTable.itemIDs.count,
                entries: (0..<testTable.count).map { (testTable.users[$0], testTable.items[$0], 1) })
            let clock = ContinuousClock()
            let started = clock.now
            let fitted: any TopNModel
            if model == "ensemble" {
                let ensemble = try ModelCatalog.fitEnsemble(train: trainTable, parameters: parameters, k: k, threads: threads)
                Terminal.writeError("note: \(Self.describe(ensemble, k: k))\n")
                fitted = ensemble
            } else {
                fitted = try ModelCatalog.fitRanking(model, train: trainMatrix, parameters: parameters, threads: threads)
            }
            let fitSeconds = Self.seconds(started.duration(to: clock.now))
            let metrics = TopNEvaluation.evaluate(fitted, train: trainMatrix, test: testMatrix, k: k, threads: threads)
            if json {
                let object: [String: Any] = [
                    "model": model, "task": task, "k": k, "params": parameters.settings, "threads": threads,
                    "users_evaluated": metrics.usersEvaluated, "metrics": metrics.named, "fit_seconds": fitSeconds,
                    "recommend_ms_per_user": metrics.recommendMillisecondsPerUser,
                ]
                try Self.printJSON(object)
            } else {
                print("\(model) on \(grouped(metrics.usersEvaluated)) users, fitted in \(String(format: "%.2f", fitSeconds)) s, \(String(format: "%.3f", metrics.recommendMillisecondsPerUser)) ms per user's top \(k)")
                for (name, value) in metrics.named.sorted(by: { $0.key < $1.key }) { print("  \(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))") }
            }
        }
    }

    func runRating(_ parameters: Parameters) throws {
        guard ModelCatalog.ratingModels.contains(model) else {
            throw MatchworkError(.invalidValue, "--model '\(model)' does not predict ratings; use one of \(ModelCatalog.ratingModels.joined(separator: ", ")).", field: "--model")
        }
        let trainTable = try RatingFile.read(train)
        let testTable = try RatingFile.read(test, indexedLike: trainTable)
        let range = try RatingEvaluation.range(of: trainTable)
        let clock = ContinuousClock()
        let started = clock.now
        let fitted = try ModelCatalog.fitRating(model, train: InteractionMatrix(trainTable), parameters: parameters)
        let fitSeconds = Self.seconds(started.duration(to: clock.now))
        let metrics = RatingEvaluation.evaluate(fitted, test: testTable, range: range)
        for basis in RatingPrediction.Basis.allCases where basis != .model {
            guard let count = metrics.bases[basis], count > 0 else { continue }
            Terminal.writeError("note: \(grouped(count)) of \(grouped(metrics.rowsEvaluated)) test rows: \(basis.explanation)\n")
        }
        if json {
            let object: [String: Any] = [
                "model": model, "task": task, "k": k, "params": parameters.settings, "threads": threads,
                "rows_evaluated": metrics.rowsEvaluated, "metrics": metrics.named, "fit_seconds": fitSeconds,
                "recommend_ms_per_user": metrics.predictMicrosecondsPerRow / 1000,
            ]
            try Self.printJSON(object)
        } else {
            print("\(model) on \(grouped(metrics.rowsEvaluated)) test rows, fitted in \(String(format: "%.2f", fitSeconds)) s, \(String(format: "%.2f", metrics.predictMicrosecondsPerRow)) µs per prediction")
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
