/// `matchwork evaluate --tune` and `--model auto`: each model's hyper-parameters searched
/// (``HyperparameterSearch``) on a validation pair made from train alone, never on test; `auto`
/// also chooses the model, and for ranking an ensemble of the best few when it scores higher on
/// validation. The caller refits the choice on all of train and scores it on test.
public enum ModelTuning {
    /// The task a search scores on validation: NDCG@K of top-K lists, or RMSE of ratings.
    public enum Task: Sendable, Hashable {
        case ranking(k: Int)
        case rating

        /// The validation figure's name (`ndcg@10`, `rmse`).
        public var metric: String {
            switch self {
            case .ranking(let k): "ndcg@\(k)"
            case .rating: "rmse"
            }
        }
    }

    /// One trial of one model.
    public struct Trial: Sendable, Hashable {
        public var model: String
        public var trial: HyperparameterSearch.Trial
        /// The validation figure as reported: NDCG@K, or RMSE (the search maximises −RMSE).
        public var figure: Double? {
            guard let score = trial.score else { return nil }
            return isRating ? -score : score
        }
        var isRating: Bool
    }

    /// The model and settings chosen, with their validation figure.
    public struct Choice: Sendable, Hashable {
        public var model: String
        public var settings: [String: String]
        public var figure: Double
    }

    public struct Report: Sendable {
        public var task: Task
        public var trials: [Trial]
        public var chosen: Choice
        /// Validation users (ranking) or rows (rating).
        public var validationSize: Int
        public var seconds: Double
    }

    /// The models `auto` searches for a task: every ranking model (EASE only up to its
    /// catalogue limit) or every rating model.
    public static func autoModels(_ task: Task, items: Int) -> [String] {
        switch task {
        case .ranking: ModelCatalog.rankingModels.filter { $0 != "ease" || items <= EASEModel.maximumItems }
        case .rating: ModelCatalog.ratingModels
        }
    }

    /// The validation pair of ../shared/PROTOCOL.md made from `train`: the same rule as the test
    /// split applied to train alone (what `matchwork split` writes as val_train and val_test).
    public static func validationSplit(_ train: RatingTable, task: Task, seed: UInt64 = 42) throws(MatchworkError) -> (train: RatingTable, test: RatingTable) {
        let (inner, held) = RatingSplit.split(train, method: task == .rating ? .random : .temporal, seed: seed &+ 1)
        // Indexed as the files would be read: val_train first, val_test in its index space.
        var first = RatingTable.Builder()
        for r in inner { try first.append(user: train.userIDs[Int(train.users[r])], item: train.itemIDs[Int(train.items[r])], rating: train.ratings[r], timestamp: train.timestamps[r], line: r + 2) }
        var second = RatingTable.Builder(indexedLike: first.table)
        for r in held { try second.append(user: train.userIDs[Int(train.users[r])], item: train.itemIDs[Int(train.items[r])], rating: train.ratings[r], timestamp: train.timestamps[r], line: r + 2) }
        return (first.table, second.table)
    }

    /// Searches `models` on the validation pair, splitting the budget between them in turn
    /// (what one leaves unspent goes to the next). `given` holds the user's `--param` settings:
    /// plain keys for a single model, `MODEL.KEY` for `auto`; ranges (`a..b`) narrow the search.
    /// `ensembleOf` > 1 also tries, for ranking, an ensemble of that many best models with
    /// their chosen settings. `progress` hears of every trial.
    public static func search(
        _ task: Task, models: [String], given: [String: [String: String]], validationTrain: RatingTable, validationTest: RatingTable,
        configuration: HyperparameterSearch.Configuration, ensembleOf: Int = 0, threads: Int, progress: (Trial, Choice?) -> Void = { _, _ in }
    ) throws(MatchworkError) -> Report {
        try configuration.validate()
        let clock = ContinuousClock()
        let started = clock.now
        let isRating = task == .rating
        // The pair as the models see it.
        let innerMatrix = isRating ? InteractionMatrix(validationTrain) : InteractionMatrix(validationTrain, value: { _ in 1 })
        let heldMatrix = InteractionMatrix(
            users: validationTest.userIDs.count, items: validationTest.itemIDs.count,
            entries: (0..<validationTest.count).map { (validationTest.users[$0], validationTest.items[$0], 1) })
        let range = isRating ? try RatingEvaluation.range(of: validationTrain) : 0...1
        func score(_ model: String, _ settings: [String: String]) throws(MatchworkError) -> Double {
            let parameters = Parameters(settings: settings)
            switch task {
            case .ranking(let k):
                let fitted: any TopNModel =
                    model == "ensemble"
                    ? try ModelCatalog.fitEnsemble(train: validationTrain, parameters: parameters, k: k, threads: threads)
                    : try ModelCatalog.fitRanking(model, train: innerMatrix, parameters: parameters, threads: threads)
                return TopNEvaluation.evaluate(fitted, train: innerMatrix, test: heldMatrix, k: k, threads: threads).ndcg
            case .rating:
                let fitted = try ModelCatalog.fitRating(model, train: innerMatrix, parameters: parameters)
                return -RatingEvaluation.evaluate(fitted, test: validationTest, range: range).rmse
            }
        }
        var trials: [Trial] = []
        var best: (model: String, trial: HyperparameterSearch.Trial)?
        var perModel: [(model: String, trial: HyperparameterSearch.Trial)] = []
        func choice() -> Choice? { best.map { Choice(model: $0.model, settings: $0.trial.settings, figure: isRating ? -$0.trial.score! : $0.trial.score!) } }
        // The ensemble's trial comes out of the same budget.
        let reserve: Int
        if case .ranking = task, ensembleOf > 1, models.count > 1, configuration.trials > models.count { reserve = 1 } else { reserve = 0 }
        for (m, model) in models.enumerated() {
            guard let full = isRating ? SearchSpace.rating(model) : SearchSpace.ranking(model) else {
                throw MatchworkError(.invalidValue, "model '\(model)' has no search space for this task.", field: "--model")
            }
            let own = given[model] ?? [:]
            let (space, fixed, narrowed) = try full.narrowed(own)
            var budget = configuration
            let remaining = models.count - m
            budget.trials = max(1, (configuration.trials - reserve - trials.count) / remaining)
            if let seconds = configuration.seconds {
                let left = seconds - HyperparameterSearch.seconds(started.duration(to: clock.now))
                guard left > 0 || trials.isEmpty else { break }
                budget.seconds = max(0.001, left / Double(remaining))
            }
            let search = try HyperparameterSearch(space: space, fixed: fixed, startsAtDefaults: !narrowed, configuration: budget)
            let result = search.run(evaluate: { (settings) throws(MatchworkError) -> Double in try score(model, settings) }) { trial, _ in
                var trial = trial
                trial.index = trials.count
                let entry = Trial(model: model, trial: trial, isRating: isRating)
                trials.append(entry)
                if let s = trial.score, s > (best?.trial.score ?? -.infinity) { best = (model, trial) }
                progress(entry, choice())
            }
            if let own = result.best {
                perModel.append((model, own))
            } else if !own.isEmpty, let failure = result.trials.first?.failure {
                // Every setting failed with the user's own settings in it: those are at fault.
                throw MatchworkError(.invalidConfiguration, "\(model): no setting with the given --param could be fitted on the validation files: \(failure)", field: "--param")
            }
        }
        // An ensemble of the best few, each with its chosen settings.
        if reserve > 0 {
            let top = perModel.sorted { ($0.trial.score ?? -.infinity) > ($1.trial.score ?? -.infinity) }.prefix(ensembleOf)
            if top.count > 1, case .ranking(let k) = task {
                // Weights chosen on the validation pair itself (the components fitted on its
                // train part), then fixed: refitting on all of train keeps them.
                var settings = ["components": top.map(\.model).joined(separator: ",")]
                for entry in top { for (key, value) in entry.trial.settings { settings["\(entry.model).\(key)"] = value } }
                var fitted: [any TopNModel] = []
                for entry in top {
                    let parameters = Parameters(settings: entry.trial.settings)
                    fitted.append(try ModelCatalog.fitRanking(entry.model, train: innerMatrix, parameters: parameters, threads: threads))
                }
                var weighting = EnsembleModel.Configuration()
                weighting.k = k
                let weights = EnsembleModel.chooseWeights(models: fitted, train: innerMatrix, test: heldMatrix, configuration: weighting, threads: threads)
                settings["weights"] = weights.map { SearchSpace.format(Double($0)) }.joined(separator: ",")
                let began = clock.now
                var trial = HyperparameterSearch.Trial(index: trials.count, settings: settings, score: nil, failure: nil, seconds: 0)
                do { trial.score = try score("ensemble", settings) } catch { trial.failure = error.message }
                trial.seconds = HyperparameterSearch.seconds(began.duration(to: clock.now))
                trials.append(Trial(model: "ensemble", trial: trial, isRating: false))
                if let s = trial.score, s > (best?.trial.score ?? -.infinity) { best = ("ensemble", trial) }
                progress(trials[trials.count - 1], choice())
            }
        }
        guard let chosen = choice() else {
            let reasons = Set(trials.compactMap(\.trial.failure)).sorted().prefix(3).joined(separator: "; ")
            throw MatchworkError(.invalidConfiguration, "no setting could be fitted on the validation files: \(reasons.isEmpty ? "no trial ran" : reasons).", field: "--param")
        }
        let size = isRating ? validationTest.count : (0..<min(innerMatrix.users, heldMatrix.users)).count { !innerMatrix.row($0).isEmpty && !heldMatrix.row($0).isEmpty }
        return Report(task: task, trials: trials, chosen: chosen, validationSize: size, seconds: HyperparameterSearch.seconds(started.duration(to: clock.now)))
    }
}
