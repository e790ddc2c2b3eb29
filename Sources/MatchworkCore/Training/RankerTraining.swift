import RealModule

/// Training the learned ranker (``RankerModel``) from a marketplace's history.
///
/// Lists come from the same windows as the neural model's (``NeuralTraining``): for each of
/// the `windows` spans of `horizonDays` before `end`, the marketplace is rebuilt as it was at
/// the window's start, and every outcome in the window becomes a list to rank in each
/// direction (opportunities for the person hired, people for the opportunity filled, the
/// opportunity's applicants with their bids). A list's features (``RankerFeatures``) are
/// computed over all its candidates from the window's start, so no outcome leaks into its own
/// features; it keeps its hired rows (label 1) and up to `negatives` others (label 0): half the
/// best by the default ensemble, half at random (seeded); an applicant list keeps everyone.
///
/// The neural model's score is a feature too (``RankerFeatures/learnedNames``): with
/// `neuralEvery` n > 0, a neural model is trained on the history before every n-th window's
/// start and scores that window and the n − 1 after it, so that it has not seen the outcomes
/// of the windows it scores.
///
/// The latest window's lists are the validation set. Each objective in `objectives` is
/// trained with early stopping on it; the one with the best validation NDCG@10 is kept, and
/// (with `refit`) trained again on every window for the rounds it kept. A kind of list whose
/// best booster ranks the validation lists no better than the engine's ensemble does gets no
/// stage: the ensemble keeps ranking it, and the model says why (``RankerModel/declined``).
/// That ensemble scores with the validation window's own neural model (trained before it),
/// or, without neural features, with `learned` when given.
public enum RankerTraining {
    public struct Configuration: Sendable, Hashable, Codable {
        public var windows = 8
        public var horizonDays = 14
        public var negatives = 40
        public var maxSubjects = 2000
        public var rounds = 400
        public var maxDepth = 6
        public var learningRate = 0.05
        public var minChildWeight = 1.0
        public var subsample = 0.8
        public var columnSample = 0.8
        public var earlyStoppingRounds = 40
        public var objectives: [BoostingParameters.Objective] = [.rankNDCG, .rankPairwise]
        public var refit = true
        /// A component (``RankerFeatures/components``) whose score and rank columns bring less
        /// than this share of a stage's gain is pruned: the stage is trained again without them,
        /// and kept so if its validation NDCG@10 stays within 0.002, so that serving need not
        /// score that component. 0 keeps every component.
        public var minComponentGain = 0.02
        /// Every how many windows a neural model is trained for the neural columns (each on the
        /// history before the oldest window it scores); 0 leaves the neural model out of the features.
        public var neuralEvery = 1
        /// How many windows older than the oldest it scores a window block's neural model is
        /// (0: trained right before it). A lag of one trains the columns on a model as stale as
        /// the one `backtest` scores its test window with.
        public var neuralLag = 1
        /// How those neural models are trained.
        public var neural = NeuralTraining.Configuration()
        public var seed = 42
        public var threads = 2

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(windows, "windows", 2...520)
            try check(horizonDays, "horizon_days", 1...365)
            try check(negatives, "negatives", 1...10_000)
            try check(maxSubjects, "max_subjects", 1...1_000_000)
            try check(threads, "threads", 1...256)
            try check(neuralEvery, "neural_every", 0...520)
            try check(neuralLag, "neural_lag", 0...520)
            try neural.validate()
            guard minComponentGain.isFinite, (0...1).contains(minComponentGain) else {
                throw MatchworkError(.invalidConfiguration, "parameter min_component_gain=\(minComponentGain) must be a share between 0 and 1 (0 keeps every component).", field: "min_component_gain")
            }
            guard !objectives.isEmpty, objectives.allSatisfy(\.isRanking) else {
                throw MatchworkError(.invalidConfiguration, "parameter objective must be rank:ndcg, rank:pairwise or both (rank:ndcg,rank:pairwise).", field: "objective")
            }
            try parameters(.rankNDCG).validate()
        }

        /// The booster's parameters for `objective`.
        public func parameters(_ objective: BoostingParameters.Objective) -> BoostingParameters {
            var p = BoostingParameters(objective: objective)
            p.rounds = rounds
            p.maxDepth = maxDepth
            p.learningRate = learningRate
            p.minChildWeight = minChildWeight
            p.subsample = subsample
            p.columnSample = columnSample
            p.earlyStoppingRounds = earlyStoppingRounds
            p.metric = "ndcg@10"
            p.seed = seed
            p.threads = threads
            return p
        }

        /// Reads `windows`, `horizon_days`, `negatives`, `rounds`, `max_depth`, `learning_rate`,
        /// `min_child_weight`, `subsample`, `colsample_bytree`, `early_stopping_rounds`,
        /// `objective` (`rank:ndcg`, `rank:pairwise` or both, comma-separated), `refit` (0 or 1),
        /// `min_component_gain`, `neural_every`, `seed` and `threads` from `parameters`.
        public init(parameters: inout Parameters) throws(MatchworkError) {
            self.init()
            try parameters.int("windows", into: &windows)
            try parameters.int("horizon_days", into: &horizonDays)
            try parameters.int("negatives", into: &negatives)
            try parameters.int("max_subjects", into: &maxSubjects)
            try parameters.int("rounds", into: &rounds)
            try parameters.int("max_depth", into: &maxDepth)
            try parameters.double("learning_rate", into: &learningRate)
            try parameters.double("min_child_weight", into: &minChildWeight)
            try parameters.double("subsample", into: &subsample)
            try parameters.double("colsample_bytree", into: &columnSample)
            try parameters.int("early_stopping_rounds", into: &earlyStoppingRounds)
            try parameters.int("threads", into: &threads)
            try parameters.flag("refit", into: &refit)
            try parameters.double("min_component_gain", into: &minComponentGain)
            try parameters.int("neural_every", into: &neuralEvery)
            try parameters.int("neural_lag", into: &neuralLag)
            var names: [String]?
            try parameters.names("objective", into: &names)
            if let names {
                var chosen: [BoostingParameters.Objective] = []
                for name in names {
                    guard let objective = BoostingParameters.Objective(rawValue: name), objective.isRanking else {
                        throw MatchworkError(.invalidConfiguration, "parameter objective=\(names.joined(separator: ",")) names '\(name)'; use rank:ndcg, rank:pairwise or both, comma-separated.", field: "objective")
                    }
                    chosen.append(objective)
                }
                objectives = chosen
            }
            var seed = UInt64(self.seed)
            try parameters.seed("seed", into: &seed)
            self.seed = Int(truncatingIfNeeded: seed)
            try validate()
        }

        /// The settings as `key=value` text, for the registry's metadata.
        public var settings: [String: String] {
            [
                "windows": "\(windows)", "horizon_days": "\(horizonDays)", "negatives": "\(negatives)", "rounds": "\(rounds)", "max_depth": "\(maxDepth)",
                "learning_rate": "\(learningRate)", "min_child_weight": "\(minChildWeight)", "subsample": "\(subsample)", "colsample_bytree": "\(columnSample)",
                "early_stopping_rounds": "\(earlyStoppingRounds)", "objective": objectives.map(\.rawValue).joined(separator: ","), "refit": refit ? "1" : "0", "min_component_gain": "\(minComponentGain)", "neural_every": "\(neuralEvery)", "neural_lag": "\(neuralLag)",
                "seed": "\(seed)", "threads": "\(threads)",
            ]
        }
    }

    /// One kind of list's training.
    public struct StageReport: Sendable, Hashable, Codable {
        public var lists: Int
        public var rows: Int
        public var validationLists: Int
        /// Validation NDCG@10 per objective tried, and the one kept.
        public var validation: [String: Double]
        /// Validation NDCG@10 of the best booster and of the ensemble on the same lists (ties
        /// counted against the hired); the stage is kept when the booster's is higher.
        public var rankerValidationNDCG: Double
        public var ensembleValidationNDCG: Double
        public var kept: Bool
        /// The fitted choice scale (``RankerModel/Stage/choiceScale``).
        public var choiceScale: Double?
        /// The components pruned for bringing too little gain (``Configuration/minComponentGain``).
        public var prunedComponents: [String] = []
        public var objective: String
        public var rounds: Int
        /// The ten features with the largest gain.
        public var importance: [RankerModel.Importance]
    }

    public struct Result: Sendable {
        public var model: RankerModel
        public var stages: [RankingTarget: StageReport]
        public var windows: Int
    }

    /// The rows of one kind of list, grouped.
    struct Rows {
        var values: [Float] = []
        var labels: [Float] = []
        var groups: [Int] = []
        /// The engine's ensemble score of each row (validation rows only).
        var ensemble: [Double] = []

        /// The rows with `columns` missing (`NaN`) in every row.
        func masking(_ columns: [Int], width: Int) -> Rows {
            var out = self
            guard width > 0 else { return out }
            for r in 0..<(values.count / width) {
                for c in columns { out.values[r * width + c] = .nan }
            }
            return out
        }

        mutating func append(_ other: Rows) {
            values += other.values
            labels += other.labels
            groups += other.groups
            ensemble += other.ensemble
        }

        /// Mean NDCG@10 of the lists ordered by `scores`, best first; ties are counted against
        /// the hired rows, so that a constant score earns nothing.
        func ndcg(_ scores: [Double]) -> Double {
            var total = 0.0, start = 0
            for size in groups {
                let rows = Array(start..<(start + size))
                let order = rows.sorted { (scores[$0], labels[$1]) > (scores[$1], labels[$0]) }
                let relevant = Set(rows.filter { labels[$0] > 0 }.map(String.init))
                total += RankingMetrics.ndcg(order.map(String.init), relevant: relevant, k: 10)
                start += size
            }
            return groups.isEmpty ? 0 : total / Double(groups.count)
        }

        func data(columns: Int) throws(MatchworkError) -> BoostingData {
            try BoostingData(rows: labels.count, columns: columns, values: values, labels: labels, groups: groups)
        }
    }

    /// Trains on the standing history before `end` (default: just after the latest outcome).
    /// `learned`, trained on the history before `learnedEnd`, scores the windows whose neural
    /// model would be trained there (the backtest's, trained before its validation window).
    public static func train(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?, end: Timestamp? = nil,
        configuration: Configuration = Configuration(), engineConfiguration: EngineConfiguration = EngineConfiguration(), learned: LearnedModel? = nil,
        learnedEnd: Timestamp? = nil, progress: (String) -> Void = { _ in }
    ) throws(MatchworkError) -> Result {
        try configuration.validate()
        let windowing = TrainingWindows(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: end, horizonDays: configuration.horizonDays,
            maxSubjects: configuration.maxSubjects)
        let (outcomeType, end) = (windowing.outcomeType, windowing.end)

        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: configuration.seed))
        // Per kind of list: the validation window's rows (k = 1) and the others'.
        var training: [RankingTarget: Rows] = [:], validation: [RankingTarget: Rows] = [:]
        var encoder: PairFeatureEncoder?
        var windows = 0
        // Each block of `neuralEvery` windows is scored by a neural model trained before its
        // oldest window; without neural features, the validation window's engine has `learned`
        // for the ensemble to beat, and the features leave it out.
        let learnedColumns = configuration.neuralEvery > 0
        var neuralModels: [Int: LearnedModel?] = [:]
        func neuralModel(_ k: Int, _ cut: Timestamp) throws(MatchworkError) -> LearnedModel? {
            guard learnedColumns else { return k == 1 ? learned : nil }
            let block = (k - 1) / configuration.neuralEvery
            if let known = neuralModels[block] { return known }
            let oldest = (block + 1) * configuration.neuralEvery
            let start = end.adding(seconds: -Int64(oldest + configuration.neuralLag) * windowing.horizon)
            var model: LearnedModel?
            if let learned, learnedEnd == start {
                model = learned
            } else { do throws(MatchworkError) {
                model = try NeuralTraining.train(
                    people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: start,
                    configuration: configuration.neural, engineConfiguration: engineConfiguration
                ).model
                progress("windows \(block * configuration.neuralEvery + 1)-\(oldest): a neural model trained on the history before \(start)")
            } catch {
                progress("windows \(block * configuration.neuralEvery + 1)-\(oldest): no neural model (\(error.message))")
            } }
            neuralModels[block] = model
            return model
        }
        try windowing.forEach(count: configuration.windows, configuration: engineConfiguration, learned: neuralModel) {
            (k, cut, window) throws(MatchworkError) in
            windows += 1
            if encoder == nil { encoder = PairFeatureEncoder(snapshot: window.engine.snapshot, features: window.engine.features) }
            for direction in Backtest.directions {
                let target = Backtest.target(of: direction)
                var rows = Rows()
                for list in try window.trainingLists(direction: direction, mode: .ensemble) where !list.others.isEmpty {
                    let (request, query, others) = (list.request, list.query, list.others)
                    var positions = list.relevant
                    let positives = positions.count
                    // The engine's ensemble: the negatives' sampling, and the validation baseline.
                    let needsEnsemble = k == 1 || !(request.pool == .applicants || others.count <= configuration.negatives)
                    let scores = needsEnsemble ? query.blend(mode: .ensemble, finalStage: false).scores : []
                    if request.pool == .applicants || others.count <= configuration.negatives {
                        positions += others
                    } else {
                        let best = others.sorted { (scores[$0], $1) > (scores[$1], $0) }
                        let top = configuration.negatives / 2
                        positions += best.prefix(top)
                        positions += generator.shuffled(Array(best.dropFirst(top))).prefix(configuration.negatives - top)
                    }
                    rows.values += query.rankerFeatures(encoder!, positions: positions, learned: learnedColumns)
                    rows.labels += positions.indices.map { $0 < positives ? 1 : 0 }
                    rows.groups.append(positions.count)
                    if k == 1 { rows.ensemble += positions.map { scores[$0] } }
                }
                if k == 1 { validation[target, default: Rows()].append(rows) } else { training[target, default: Rows()].append(rows) }
            }
            progress("window \(k): \(window.pairs) \(outcomeType.rawValue) pairs from \(cut)")
        }
        guard let encoder else {
            throw MatchworkError(
                .invalidValue,
                "the history before \(end) has no \(outcomeType.rawValue) outcomes in its last \(configuration.windows) windows of \(configuration.horizonDays) days to train a ranker on; import more history or widen --param horizon_days / windows.",
                field: "interactions")
        }
        let names = RankerFeatures.names(encoder, learned: learnedColumns)
        let components = RankerFeatures.components(learned: learnedColumns)
        var stages: [RankingTarget: RankerModel.Stage] = [:]
        var reports: [RankingTarget: StageReport] = [:]
        var declined: [RankingTarget: String] = [:]
        for target in RankingTarget.allCases {
            guard var train = training[target], var valid = validation[target], train.groups.count >= 5, valid.groups.count >= 2 else { continue }
            let trainData = try train.data(columns: names.count), validData = try valid.data(columns: names.count)
            var tried: [String: Double] = [:]
            var best: (booster: Booster, parameters: BoostingParameters, score: Double)?
            for objective in configuration.objectives {
                let parameters = configuration.parameters(objective)
                // Early stopping on the NDCG@10 the stage is judged by, ties against the hired (the
                // library's metric rewards the ties of the first rounds and stops there).
                let booster = try Booster.train(trainData, validation: validData, parameters: parameters) { valid.ndcg($0.map(Double.init)) }
                let score = booster.validationHistory.isEmpty ? 0 : booster.validationHistory[booster.rounds - 1]
                tried[objective.rawValue] = score
                progress("\(target.rawValue): \(objective.rawValue) validation NDCG@10 \(score) after \(booster.rounds) rounds")
                if best.map({ score > $0.score }) ?? true { best = (booster, parameters, score) }
            }
            guard var (booster, parameters, _) = best else { continue }
            var validMargins = try booster.predict(validData, margin: true).map(Double.init)
            var rankerNDCG = valid.ndcg(validMargins)
            // Components that bring little gain are pruned, if the stage ranks as well without them.
            var used: [RecommendationMode]?
            var pruned: [String] = []
            if configuration.minComponentGain > 0 {
                let importance = try RankerModel.importance(booster, names: names)
                let low = components.filter { c in
                    let columns = Set(RankerFeatures.columns(of: c, encoder).map { names[$0] })
                    return importance.filter { columns.contains($0.feature) }.reduce(0) { $0 + $1.share } < configuration.minComponentGain
                }
                if !low.isEmpty {
                    let masked = low.flatMap { RankerFeatures.columns(of: $0, encoder) }
                    let (maskedTrain, maskedValid) = (train.masking(masked, width: names.count), valid.masking(masked, width: names.count))
                    let maskedValidData = try maskedValid.data(columns: names.count)
                    let candidate = try Booster.train(try maskedTrain.data(columns: names.count), validation: maskedValidData, parameters: parameters) {
                        maskedValid.ndcg($0.map(Double.init))
                    }
                    let margins = try candidate.predict(maskedValidData, margin: true).map(Double.init)
                    let ndcg = maskedValid.ndcg(margins)
                    let names = low.map(\.rawValue).joined(separator: ", ")
                    if ndcg >= rankerNDCG - 0.002 {
                        progress("\(target.rawValue): pruned \(names) (under \(configuration.minComponentGain) of the gain each); validation NDCG@10 \(ndcg) against \(rankerNDCG) with them")
                        (booster, validMargins, rankerNDCG, train, valid) = (candidate, margins, ndcg, maskedTrain, maskedValid)
                        used = components.filter { !low.contains($0) }
                        pruned = low.map(\.rawValue)
                    } else {
                        progress("\(target.rawValue): kept \(names): without them validation NDCG@10 \(ndcg) against \(rankerNDCG)")
                    }
                }
            }
            let scale = choiceScale(margins: validMargins, labels: valid.labels, groups: valid.groups)
            let ensembleNDCG = valid.ndcg(valid.ensemble)
            progress("\(target.rawValue): validation NDCG@10 \(rankerNDCG) against the ensemble's \(ensembleNDCG)")
            guard rankerNDCG > ensembleNDCG else {
                declined[target] =
                    "the ranker ranked the latest window's \(target.rawValue) lists no better than the ensemble (validation NDCG@10 "
                    + "\(rankerNDCG.roundedTo(4)) against \(ensembleNDCG.roundedTo(4))), so the ensemble ranks them"
                reports[target] = StageReport(
                    lists: train.groups.count + valid.groups.count, rows: train.labels.count + valid.labels.count, validationLists: valid.groups.count, validation: tried,
                    rankerValidationNDCG: rankerNDCG, ensembleValidationNDCG: ensembleNDCG, kept: false, choiceScale: nil, objective: parameters.objective.rawValue, rounds: booster.rounds,
                    importance: [])
                continue
            }
            if configuration.refit {
                var all = train
                all.append(valid)
                parameters.rounds = booster.rounds
                parameters.earlyStoppingRounds = nil
                booster = try Booster.train(try all.data(columns: names.count), parameters: parameters)
            }
            let importance = try RankerModel.importance(booster, names: names)
            stages[target] = RankerModel.Stage(
                booster: booster, parameters: parameters, validation: tried, importance: importance, choiceScale: scale, components: used)
            reports[target] = StageReport(
                lists: train.groups.count + valid.groups.count, rows: train.labels.count + valid.labels.count, validationLists: valid.groups.count, validation: tried,
                rankerValidationNDCG: rankerNDCG, ensembleValidationNDCG: ensembleNDCG, kept: true, choiceScale: scale, prunedComponents: pruned, objective: parameters.objective.rawValue, rounds: booster.rounds,
                importance: Array(importance.prefix(10)))
        }
        guard !stages.isEmpty || !declined.isEmpty else {
            throw MatchworkError(
                .invalidValue,
                "the history before \(end) has too few \(outcomeType.rawValue) outcomes to train a ranker (at least 5 lists before the latest window and 2 in it, for some kind of list); import more history or widen --param horizon_days / windows.",
                field: "interactions")
        }
        return Result(model: RankerModel(encoder: encoder, stages: stages, declined: declined, learnedColumns: learnedColumns), stages: reports, windows: windows)
    }

    /// The scale `s` maximising the conditional-logit likelihood of the hired rows of each
    /// group, `Σ_groups Σ_hired [s mᵢ − log Σⱼ exp(s mⱼ)]`: concave in `s`, so Newton's method
    /// from `s = 1` (kept within 0...50) finds it. `nil` without two groups that have a hire
    /// and a row that was not.
    static func choiceScale(margins: [Double], labels: [Float], groups: [Int]) -> Double? {
        var lists: [(margins: ArraySlice<Double>, hired: [Int])] = []
        var start = 0
        for size in groups {
            let range = start..<(start + size)
            let hired = range.filter { labels[$0] > 0 }
            if !hired.isEmpty, hired.count < size { lists.append((margins[range], hired)) }
            start += size
        }
        guard lists.count >= 2 else { return nil }
        var s = 1.0
        for _ in 0..<100 {
            var gradient = 0.0, curvature = 0.0
            for (m, hired) in lists {
                let top = m.max()!
                var z = 0.0, first = 0.0, second = 0.0
                for x in m {
                    let w = Double.exp(s * (x - top))
                    z += w
                    first += w * x
                    second += w * x * x
                }
                let mean = first / z, variance = max(0, second / z - mean * mean)
                for h in hired { gradient += m[h] - mean }
                curvature += Double(hired.count) * variance
            }
            guard curvature > 1e-12 else { break }
            let next = min(50, max(0, s + gradient / curvature))
            if abs(next - s) < 1e-9 { s = next; break }
            s = next
        }
        return s.isFinite ? s : nil
    }
}
