/// A trained neural model ready to serve: the feature encoder (with its scaling and id maps),
/// one hybrid per kind of list that ranks (trained on hires: opportunities for a person,
/// people for an opportunity, an opportunity's applicants) and, when the marketplace has
/// reviews, the hybrid that predicts ratings.
public struct LearnedModel: Sendable {
    public var encoder: PairFeatureEncoder
    public var ranking: [RankingTarget: NeuralHybridModel]
    public var rating: NeuralHybridModel?
    /// The bid head (marketplaces with bids), behind each result's suggested bid.
    public var bid: BidModel?
    /// The registry version it was loaded from, if any (reported with each result).
    public var version: String?

    public init(
        encoder: PairFeatureEncoder, ranking: [RankingTarget: NeuralHybridModel], rating: NeuralHybridModel?, bid: BidModel? = nil, version: String? = nil
    ) {
        self.encoder = encoder
        self.ranking = ranking
        self.rating = rating
        self.bid = bid
        self.version = version
    }

    /// The model that ranks `target`'s lists: its own, else the one for people (a marketplace
    /// without applicants to rank), else any.
    public func ranker(for target: RankingTarget) -> NeuralHybridModel? {
        ranking[target] ?? ranking[.people] ?? RankingTarget.allCases.lazy.compactMap { ranking[$0] }.first
    }
}

/// Training the neural hybrid from a marketplace's history.
///
/// Examples come from windows, as the backtest cuts them: for each of the `windows` spans of
/// `horizonDays` before `end`, the marketplace is rebuilt as it was at the window's start (the
/// same rebuild as ``Backtest``), and every hire in the window becomes a list to rank, in the
/// three directions the engine serves: opportunities for the person hired (among those open),
/// people for the opportunity filled (among everyone), and the opportunity's applicants (their
/// applications and bids visible). A list keeps its hired pairs (target 1) and up to
/// `negatives` others (target 0): half the best by the rule-based scorer, half at random
/// (seeded); an applicant list keeps everyone. Features are those of the window's start, so no
/// outcome leaks into its own features. Ratings given in a window are the rating model's
/// examples (target: the overall review over 10).
public enum NeuralTraining {
    public struct Configuration: Sendable, Hashable, Codable {
        public var model = NeuralHybridModel.Configuration()
        public var trainer = TrainerConfiguration()
        public var windows = 8
        public var horizonDays = 14
        public var negatives = 20
        /// Subjects per window and direction, at most.
        public var maxSubjects = 2000
        /// Also trains the collaborative-only and content-only models on the same split, to
        /// show what each part adds.
        public var compareParts = true
        /// The bid head's epochs and learning rate (its other settings are the trainer's).
        public var bidEpochs = 150
        public var bidLearningRate: Float = 0.005

        public init() {}

        public func validate() throws(MatchworkError) {
            try model.validate()
            try trainer.validate()
            try check(windows, "windows", 1...520)
            try check(horizonDays, "horizon_days", 1...365)
            try check(negatives, "negatives", 1...10_000)
            try check(maxSubjects, "max_subjects", 1...1_000_000)
            try check(bidEpochs, "bid_epochs", 1...100_000)
            guard bidLearningRate.isFinite, bidLearningRate > 0 else {
                throw MatchworkError(.invalidConfiguration, "parameter bid_learning_rate=\(bidLearningRate) must be positive.", field: "bid_learning_rate")
            }
        }
    }

    /// What was trained, and how well it did on held-out lists.
    public struct Result: Sendable {
        public var model: LearnedModel
        public var ranking: [RankingTarget: TrainingReport]
        public var rating: TrainingReport?
        /// The bid head's training, when the marketplace has enough bids.
        public var bid: BidTraining.Report?
        /// Validation metrics of the collaborative-only and content-only models, per list and part name.
        public var parts: [RankingTarget: [String: NeuralMetrics]]
        public var windows: Int
        public var lists: Int
        public var examples: Int
        public var ratingExamples: Int
        public var bidExamples: Int
    }

    /// A training stage's epoch, for progress lines: the list (`opportunities`, `people`,
    /// `applicants`) and part, or `rating`.
    public typealias Progress = (_ stage: String, _ report: EpochReport) -> Void

    /// Trains on the standing history before `end` (default: just after the latest outcome,
    /// hires or enrolments, as ``MarketplaceSnapshot/referenceTime(of:)`` places it).
    public static func train(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?, end: Timestamp? = nil,
        configuration: Configuration = Configuration(), engineConfiguration: EngineConfiguration = EngineConfiguration(), progress: Progress = { _, _ in }
    ) throws(MatchworkError) -> Result {
        try configuration.validate()
        let windowing = TrainingWindows(
            people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: end, horizonDays: configuration.horizonDays,
            maxSubjects: configuration.maxSubjects)
        let (outcomeType, end, history) = (windowing.outcomeType, windowing.end, windowing.history)

        var generator = SeededGenerator(seed: configuration.trainer.seed)
        var raw = RawPairs(), targets: [Float] = [], groups: [Int32] = [], listTargets: [RankingTarget] = []
        var ratingRaw = RawPairs(), ratingTargets: [Float] = []
        // Bids with their amount, whether they won and their opportunity.
        var bidRaw = RawPairs(), bidAmounts: [Float] = [], bidWon: [Bool] = [], bidGroups: [Int32] = []
        let hired = Set(history.lazy.filter { $0.type == .hire }.map { "\($0.person.rawValue)\u{1F}\($0.opportunity.rawValue)" })
        var bidJobs: [String: Int32] = [:]
        var encoder: PairFeatureEncoder?
        var windows = 0
        try windowing.forEach(count: configuration.windows, configuration: engineConfiguration) { (_, cut, window) throws(MatchworkError) in
            let windowEnd = cut.adding(seconds: windowing.horizon)
            windows += 1
            if encoder == nil { encoder = PairFeatureEncoder(snapshot: window.engine.snapshot, features: window.engine.features) }
            for direction in Backtest.directions {
                for list in try window.trainingLists(direction: direction, mode: .ruleBased) {
                    let (request, query, others) = (list.request, list.query, list.others)
                    var positions = list.relevant
                    let positives = positions.count
                    if request.pool == .applicants || others.count <= configuration.negatives {
                        positions += others
                    } else {
                        let rules = RuleBasedScorer().values(query)
                        let best = others.sorted { (rules[$0], $1) > (rules[$1], $0) }
                        let top = configuration.negatives / 2
                        positions += best.prefix(top)
                        positions += generator.shuffled(Array(best.dropFirst(top))).prefix(configuration.negatives - top)
                    }
                    let pairs = query.pairFeatures(encoder!, positions: positions)
                    raw.append(pairs)
                    let group = Int32(groups.last.map { $0 + 1 } ?? 0)
                    listTargets.append(Backtest.target(of: direction))
                    for j in positions.indices {
                        targets.append(j < positives ? 1 : 0)
                        groups.append(group)
                    }
                }
            }
            // Reviews given in the window, with the features of its start.
            let engine = window.engine
            for e in history where e.type == .rate && e.timestamp >= cut && e.timestamp < windowEnd {
                guard let value = e.value, let p = engine.snapshot.personIndex.index(of: e.person), let o = engine.snapshot.opportunityIndex.index(of: e.opportunity) else { continue }
                let query = QueryState(engine: engine, subject: o, forPerson: false, candidates: [p], pool: .everyone)
                ratingRaw.append(query.pairFeatures(encoder!, positions: [0]))
                ratingTargets.append(Float(min(10, max(0, value)) / 10))
            }
            // Bids placed in the window, with the features of its start (the bid itself is not
            // among the bid head's inputs).
            for e in history where e.type == .bid && e.timestamp >= cut && e.timestamp < windowEnd {
                guard let value = e.value, value.isFinite, value > 0, let p = engine.snapshot.personIndex.index(of: e.person),
                    let o = engine.snapshot.opportunityIndex.index(of: e.opportunity)
                else { continue }
                let query = QueryState(engine: engine, subject: o, forPerson: false, candidates: [p], pool: .everyone)
                bidRaw.append(query.pairFeatures(encoder!, positions: [0]))
                bidAmounts.append(Float(value))
                bidWon.append(hired.contains("\(e.person.rawValue)\u{1F}\(e.opportunity.rawValue)"))
                let job = e.opportunity.rawValue
                if bidJobs[job] == nil { bidJobs[job] = Int32(bidJobs.count) }
                bidGroups.append(bidJobs[job]!)
            }
        }
        guard var encoder, Set(groups).count >= 5 else {
            throw MatchworkError(
                .invalidValue,
                "the history before \(end) has too few \(outcomeType.rawValue) outcomes in its last \(configuration.windows) windows of \(configuration.horizonDays) days to train on (\(Set(groups).count) lists, at least 5 needed); import more history or widen --param horizon_days / windows.",
                field: "interactions")
        }

        // Id maps: people and opportunity keys with at least one positive example.
        var positivePeople = Set<String>(), positiveKeys = Set<String>()
        for r in targets.indices where targets[r] > 0.5 {
            positivePeople.insert(raw.personKeys[r])
            positiveKeys.insert(raw.opportunityKeys[r])
        }
        encoder.setIdentities(people: positivePeople.sorted(), opportunities: positiveKeys.sorted())
        encoder.fitScaling(raw.continuous)
        let batch = raw.batch(encoder)

        // One model per kind of list, on that kind's lists.
        var ranking: [RankingTarget: NeuralHybridModel] = [:]
        var rankingReports: [RankingTarget: TrainingReport] = [:]
        var parts: [RankingTarget: [String: NeuralMetrics]] = [:]
        for target in RankingTarget.allCases {
            let rows = targets.indices.filter { listTargets[Int(groups[$0])] == target }
            guard Set(rows.map { groups[$0] }).count >= 5 else { continue }
            let examples = TrainingExamples(inputs: batch, targets: targets, groups: groups).subsetExamples(rows)
            // The content part first, alone; then the hybrid starts from it with a fresh
            // collaborative part and learns α, keeping the content-only start unless an epoch
            // does better on validation.
            var contentConfiguration = configuration.model
            contentConfiguration.parts = .content
            var content = try NeuralHybridModel(schema: encoder.schema, configuration: contentConfiguration)
            let contentReport = try NeuralTrainer.train(&content, on: examples, objective: .ranking, configuration: configuration.trainer) {
                progress("\(target.rawValue), content part", $0)
            }
            var model = try NeuralHybridModel(schema: encoder.schema, configuration: configuration.model)
            model.adoptContent(of: content)
            rankingReports[target] = try NeuralTrainer.train(&model, on: examples, objective: .ranking, configuration: configuration.trainer, warmStart: true) {
                progress("\(target.rawValue), hybrid", $0)
            }
            ranking[target] = model
            if configuration.compareParts {
                parts[target, default: [:]][NeuralHybridModel.Parts.content.rawValue] = contentReport.validation
                var collaborativeConfiguration = configuration.model
                collaborativeConfiguration.parts = .collaborative
                var collaborative = try NeuralHybridModel(schema: encoder.schema, configuration: collaborativeConfiguration)
                let report = try NeuralTrainer.train(&collaborative, on: examples, objective: .ranking, configuration: configuration.trainer) {
                    progress("\(target.rawValue), collaborative part", $0)
                }
                parts[target, default: [:]][NeuralHybridModel.Parts.collaborative.rawValue] = report.validation
            }
        }

        var rating: NeuralHybridModel?
        var ratingReport: TrainingReport?
        if Set(ratingRaw.personKeys).count >= 2, ratingTargets.count >= 20 {
            let ratingExamples = TrainingExamples(inputs: ratingRaw.batch(encoder), targets: ratingTargets, groups: (0..<ratingTargets.count).map { Int32($0) })
            var model = try NeuralHybridModel(schema: encoder.schema, configuration: configuration.model)
            ratingReport = try NeuralTrainer.train(&model, on: ratingExamples, objective: .rating, configuration: configuration.trainer) { progress("rating", $0) }
            rating = model
        }
        var bid: BidModel?
        var bidReport: BidTraining.Report?
        if bidAmounts.count >= 20, Set(bidGroups).count >= 5 {
            var scaled = bidRaw.continuous
            encoder.standardise(&scaled)
            let examples = BidTraining.Examples(continuous: scaled, width: encoder.continuousCount, amounts: bidAmounts, won: bidWon, groups: bidGroups)
            var trainer = configuration.trainer
            trainer.epochs = configuration.bidEpochs
            trainer.learningRate = configuration.bidLearningRate
            let (model, report) = try BidTraining.train(examples, configuration: trainer)
            bid = model
            bidReport = report
        }
        return Result(
            model: LearnedModel(encoder: encoder, ranking: ranking, rating: rating, bid: bid), ranking: rankingReports, rating: ratingReport, bid: bidReport,
            parts: parts, windows: windows, lists: Set(groups).count, examples: targets.count, ratingExamples: ratingTargets.count, bidExamples: bidAmounts.count)
    }
}

extension NeuralTraining.Configuration {
    /// Reads the neural model's hyper-parameters (`embedding_width`, `category_width`,
    /// `epochs`, `batch_size`, `learning_rate`, `weight_decay`, `patience`, `windows`,
    /// `horizon_days`, `negatives`, `compare_parts` (0 or 1), `seed`, `bid_epochs`,
    /// `bid_learning_rate`) from `parameters`.
    public init(parameters: inout Parameters) throws(MatchworkError) {
        self.init()
        try parameters.int("embedding_width", into: &model.embeddingWidth)
        try parameters.int("category_width", into: &model.categoryWidth)
        try parameters.float("initial_alpha", into: &model.initialAlpha)
        try parameters.int("epochs", into: &trainer.epochs)
        try parameters.int("batch_size", into: &trainer.batchSize)
        try parameters.float("learning_rate", into: &trainer.learningRate)
        try parameters.float("weight_decay", into: &trainer.weightDecay)
        try parameters.int("patience", into: &trainer.patience)
        try parameters.int("windows", into: &windows)
        try parameters.int("horizon_days", into: &horizonDays)
        try parameters.int("negatives", into: &negatives)
        try parameters.int("bid_epochs", into: &bidEpochs)
        try parameters.float("bid_learning_rate", into: &bidLearningRate)
        try parameters.flag("compare_parts", into: &compareParts)
        try parameters.seed("seed", into: &trainer.seed)
        model.seed = trainer.seed
        try validate()
    }

    /// The settings as `key=value` text, for the registry's metadata.
    public var settings: [String: String] {
        [
            "embedding_width": "\(model.embeddingWidth)", "category_width": "\(model.categoryWidth)", "initial_alpha": "\(model.initialAlpha)",
            "collaborative_hidden": model.collaborativeHidden.map(String.init).joined(separator: ","),
            "content_hidden": model.contentHidden.map(String.init).joined(separator: ","), "epochs": "\(trainer.epochs)",
            "batch_size": "\(trainer.batchSize)", "learning_rate": "\(trainer.learningRate)", "weight_decay": "\(trainer.weightDecay)",
            "patience": "\(trainer.patience)", "windows": "\(windows)", "horizon_days": "\(horizonDays)", "negatives": "\(negatives)",
            "seed": "\(trainer.seed)", "bid_epochs": "\(bidEpochs)", "bid_learning_rate": "\(bidLearningRate)",
        ]
    }
}

