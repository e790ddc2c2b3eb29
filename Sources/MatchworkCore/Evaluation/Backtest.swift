import RealModule

/// Replays a marketplace's latest outcomes against recommendations made just before them.
///
/// Protocol:
/// 1. Outcomes are `hire` events (`enroll` when the marketplace has no hires) on the kinds of
///    opportunity recommended (courses to learners, not the postings they were hired on). The cut time
///    `T` is the time of the outcome at `1 − holdoutShare` of them in time order (default: the
///    latest 20% are held out).
/// 2. Test outcomes are those in `[T, T + horizon)`. The candidates are the opportunities
///    posted before `T + horizon` (first event, or window start minus 7 days) that start after
///    `T` (or have no window): what the marketplace offers during the horizon. Work is posted
///    and filled within days, so most of it is new at `T`, as in production.
/// 3. The engine sees every event before `T` except those between a test person and their test
///    opportunity (the application that led to the hire is part of what is predicted).
/// 4. Directions: opportunities for each test person (relevant: their test opportunities);
///    people for each test opportunity among everyone (relevant: the people hired); and the
///    applicants of each test opportunity (their applications and bids kept), the "top-3
///    accuracy" of a marketplace that ranks bids. On a marketplace with courses, the
///    `ensemble+path` rows also rank each learner's courses with their learning path first.
/// 5. Metrics, as ../shared/PROTOCOL.md defines them: hit rate@3 = share of subjects with a
///    relevant item in the top 3; NDCG@10 with binary relevance and
///    `IDCG = sum_{k=1}^{min(|R|,10)} 1 / log2(k + 1)`. Subjects with no eligible candidate
///    count as misses.
/// 6. Baselines of `rank_applicants`: `lowest_bid` ranks each job's bidders by their bid,
///    cheapest first; `ceiling` (a generated marketplace, whose choice model is known) by the
///    probability the generator gave each bidder of being hired, which maximises the expected
///    hit rate: every mode's ratio to it is how much of the reachable relevance it gets.
public enum Backtest {
    /// The `answered_by` count of subjects with no eligible candidate (each a miss).
    public static let noCandidate = "no_eligible_candidate"
    /// The `answered_by` count of requests that failed.
    public static let failed = "failed"

    public struct Row: Sendable, Hashable, Codable {
        public var direction: String
        public var mode: String
        public var subjects: Int
        public var hitRateAt3: Double
        public var ndcgAt10: Double
        /// Which components answered, and how often: `rule_based+similarity`, or
        /// ``Backtest/noCandidate`` for subjects no candidate passed the hard filters for (a
        /// miss), or ``Backtest/failed`` for requests that failed.
        public var answeredBy: [String: Int]
    }

    /// How well a mode predicts the review ratings given in the test window (0-1 scale).
    public struct RatingRow: Sendable, Hashable, Codable {
        public var mode: String
        public var reviews: Int
        public var rmse: Double
        public var mae: Double
        public var r2: Double
    }

    /// Ensemble weights chosen on the validation window for one kind of list.
    public struct Tuning: Sendable, Hashable, Codable {
        public var direction: String
        public var weights: EnsembleWeights
        /// `[list:]name=w,...`, as `--ensemble-weights` reads it.
        public var setting: String
        /// Validation subjects it was tuned on, and their NDCG@10 and hit rate@3 with the weights.
        public var subjects: Int
        public var validationNDCGAt10: Double
        public var validationHitRateAt3: Double
    }

    public struct Report: Sendable, Hashable, Codable {
        public var scenario: String?
        public var cut: Timestamp
        public var horizonDays: Int
        public var outcomeType: String
        public var testOutcomes: Int
        public var rows: [Row]
        /// The validation window `[cut − horizon, cut)` ensemble weights were tuned on, and the
        /// weights per direction (`ensemble_tuned` rows use them on the test window).
        public var validationCut: Timestamp?
        public var validationOutcomes: Int
        public var tuning: [Tuning]
        /// Ratings of the reviews in the test window, per mode: `rule_based` (the person-quality
        /// rule, mapped to ratings by least squares on the reviews before the cut), `neural`
        /// (the trained rating model) and `ensemble` (the two blended with the learned share).
        public var ratingRows: [RatingRow]
        /// The ranker's hire probabilities for each test job's bidders (``RecommendationEngine/hireProbabilities(opportunity:)``)
        /// against who was hired: predicted and observed share of wins per band, and the
        /// expected calibration error (the range fields of ``BidCalibration`` are unused here).
        public var hireCalibration: BidCalibration?
    }

    public static let directions = ["opportunities_for_people", "people_for_opportunities", "rank_applicants"]
    /// The `rank_applicants` row of the rule "the cheapest bid first".
    public static let lowestBid = "lowest_bid"
    /// The `rank_applicants` row that ranks each job's bidders by the generator's hidden choice
    /// probabilities: the best hit rate any model can expect.
    public static let ceiling = "ceiling"
    /// The direction whose lists lead with the learner's learning path (``RecommendationRequest/pathFirst``)
    /// in the `ensemble+path` rows, on a marketplace with courses.
    static let pathDirection = "opportunities_for_people"

    /// The kind of list each direction ranks.
    static func target(of direction: String) -> RankingTarget {
        switch direction {
        case "opportunities_for_people": .opportunities
        case "people_for_opportunities": .people
        default: .applicants
        }
    }

    /// The outcome events: hires, or enrolments when the marketplace has no hires, on the kinds of
    /// opportunity the scenario recommends (a learner's hire on a job posting is not a course's
    /// outcome).
    static func outcomes(_ interactions: [Interaction], opportunities: [Opportunity], scenario: ScenarioName?) -> (InteractionType, [Interaction]) {
        let recommended = ScenarioFeatures.forScenario(scenario).recommendedKinds
        let recommendable = Set(opportunities.lazy.filter { recommended?.contains($0.kind) ?? true }.map(\.id))
        let type: InteractionType = interactions.contains { $0.type == .hire && recommendable.contains($0.opportunity) } ? .hire : .enroll
        return (type, interactions.filter { $0.type == type && recommendable.contains($0.opportunity) })
    }

    /// Fewer validation subjects than this leave a direction's weights at their defaults.
    public static let minimumTuningSubjects = 20

    /// Runs the backtest.
    ///
    /// - Parameter tune: also chooses ensemble weights per direction on the validation window
    ///   just before the cut (``EnsembleTuning``) and reports them with `ensemble_tuned` rows.
    public static func run(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?,
        modes: [RecommendationMode] = RecommendationMode.allCases, configuration: EngineConfiguration = EngineConfiguration(),
        holdoutShare: Double = 0.2, horizonDays: Int = 14, maxSubjects: Int = 2000, parallelism: Int = 2, tune: Bool = true,
        neural: NeuralTraining.Configuration? = nil, ranker: RankerTraining.Configuration? = nil, choiceProbabilities: [OpportunityID: [PersonID: Double]] = [:],
        progress: NeuralTraining.Progress = { _, _ in }, rankerProgress: (String) -> Void = { _ in }
    ) async throws(MatchworkError) -> Report {
        guard holdoutShare > 0, holdoutShare < 1 else {
            throw MatchworkError(.invalidConfiguration, "holdout share \(holdoutShare) must be between 0 and 1 (exclusive).", field: "holdout")
        }
        let interactions = Interaction.standing(interactions)
        let (outcomeType, outcomeEvents) = outcomes(interactions, opportunities: opportunities, scenario: scenario)
        let outcomes = outcomeEvents.sorted { ($0.timestamp, $0.person, $0.opportunity) < ($1.timestamp, $1.person, $1.opportunity) }
        guard outcomes.count >= 10 else {
            throw MatchworkError(.invalidValue, "the marketplace has \(outcomes.count) \(outcomeType.rawValue) events; a backtest needs at least 10 outcomes to hold out.", field: "interactions")
        }
        let cut = outcomes[Int(Double(outcomes.count) * (1 - holdoutShare))].timestamp
        let horizon = Int64(horizonDays) * 86_400
        let cache = FeatureCache()
        let data = Data(people: people, opportunities: opportunities, interactions: interactions, outcomes: outcomes, scenario: scenario, maxSubjects: maxSubjects)
        // The neural model learns from the history before the validation window (before the
        // cut without tuning), so neither the weights' tuning nor the test sees its own outcomes.
        var learned: LearnedModel?
        if let neural, modes.contains(.neural) || modes.contains(.ensemble) {
            let result = try NeuralTraining.train(
                people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: tune ? cut.adding(seconds: -horizon) : cut,
                configuration: neural, engineConfiguration: configuration, progress: progress)
            learned = result.model
        }
        let test = try data.window(cut: cut, horizonEnd: cut.adding(seconds: horizon), configuration: configuration, cache: cache, learned: learned)
        guard test.pairs > 0 else {
            throw MatchworkError(.invalidValue, "no \(outcomeType.rawValue) falls in the \(horizonDays) days after the cut \(cut); widen the horizon.", field: "horizon")
        }

        // The ranker learns from the windows before the cut, its latest window (the one ensemble
        // weights are tuned on) for early stopping and its choice of objective; it scores only
        // the `ranked` rows, so that the other rows show the engine without it.
        var rankedTest: Window?
        if var ranker, modes.contains(.ranked) {
            // Its windows' neural models are trained as the backtest's; without one, no neural columns.
            if let neural { ranker.neural = neural } else { ranker.neuralEvery = 0 }
            let result = try RankerTraining.train(
                people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: cut, configuration: ranker,
                engineConfiguration: configuration, learned: learned, learnedEnd: tune ? cut.adding(seconds: -horizon) : cut, progress: rankerProgress)
            rankedTest = test.with(ranker: result.model)
        }

        var rows: [Row] = []
        for direction in directions {
            for mode in modes {
                let window = mode == .ranked ? rankedTest ?? test : test
                rows.append(await window.row(direction: direction, mode: mode, label: mode.rawValue, parallelism: parallelism))
            }
            if direction == pathDirection, test.hasCourses, modes.contains(.ensemble) {
                rows.append(await test.row(direction: direction, mode: .ensemble, label: "ensemble+path", parallelism: parallelism, pathFirst: true))
            }
        }

        var tuning: [Tuning] = []
        var validationCut: Timestamp?
        var validationOutcomes = 0
        if tune {
            let start = cut.adding(seconds: -horizon)
            let validation = try data.window(cut: start, horizonEnd: cut, configuration: configuration, cache: cache, learned: learned)
            validationCut = start
            validationOutcomes = validation.pairs
            var tuned = test.engine.ensemble
            for direction in directions {
                let samples = try validation.samples(direction: direction)
                guard samples.count >= minimumTuningSubjects else { continue }
                let best = EnsembleTuning.tune(samples, share: configuration.ensemble?.learnedShare ?? EnsembleConfiguration.defaultLearnedShare)
                let target = target(of: direction)
                tuned[target] = best.weights
                tuning.append(Tuning(
                    direction: direction, weights: best.weights, setting: "\(target.rawValue):\(best.weights.setting)", subjects: samples.count,
                    validationNDCGAt10: best.ndcgAt10, validationHitRateAt3: best.hitRateAt3))
            }
            var tunedConfiguration = configuration
            tunedConfiguration.ensemble = tuned
            let tunedTest = try test.reconfigured(tunedConfiguration)
            for direction in directions {
                let row = await tunedTest.row(direction: direction, mode: .ensemble, label: "ensemble_tuned", parallelism: parallelism)
                let at = (rows.lastIndex { $0.direction == direction } ?? rows.count - 1) + 1
                rows.insert(row, at: at)
                if direction == pathDirection, test.hasCourses {
                    rows.insert(await tunedTest.row(direction: direction, mode: .ensemble, label: "ensemble_tuned+path", parallelism: parallelism, pathFirst: true), at: at + 1)
                }
            }
        }
        // Baselines of a job's bidders: the cheapest bid first, and the generator's own choice
        // probabilities (the best any model can do in expectation) when they are known.
        if test.opportunitySubjects.contains(where: { !test.cheapestFirst($0.0).isEmpty }) {
            rows.append(test.baselineRow(label: lowestBid, order: test.cheapestFirst))
        }
        if test.opportunitySubjects.contains(where: { choiceProbabilities[$0.0] != nil }) {
            rows.append(test.baselineRow(label: ceiling) { o in
                (choiceProbabilities[o] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key.rawValue)
            })
        }
        let ratingRows = ratingRows(
            interactions: interactions, engine: test.engine, learned: learned, cut: cut, horizonEnd: cut.adding(seconds: horizon), modes: modes,
            share: configuration.ensemble?.learnedShare ?? EnsembleConfiguration.defaultLearnedShare)
        var hireCalibration: BidCalibration?
        if let rankedTest {
            var fates: [BidFate] = []
            for (opportunity, hired) in rankedTest.opportunitySubjects {
                guard let probabilities = rankedTest.applicantEngine.hireProbabilities(opportunity: opportunity) else { continue }
                for (person, p) in probabilities.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    fates.append(BidFate(bidAmount: 1, won: hired.contains(person.rawValue), predictedHireProbability: p))
                }
            }
            if !fates.isEmpty { hireCalibration = BidCalibration(fates: fates) }
        }
        return Report(
            scenario: scenario?.rawValue, cut: cut, horizonDays: horizonDays, outcomeType: outcomeType.rawValue, testOutcomes: test.pairs, rows: rows,
            validationCut: validationCut, validationOutcomes: validationOutcomes, tuning: tuning, ratingRows: ratingRows, hireCalibration: hireCalibration)
    }

    /// The rating rows of ``Report/ratingRows``: reviews in `[cut, horizonEnd)` scored with the
    /// features of the cut; the rule-based mapping is fitted on up to 5,000 reviews before it.
    static func ratingRows(
        interactions: [Interaction], engine: RecommendationEngine, learned: LearnedModel?, cut: Timestamp, horizonEnd: Timestamp, modes: [RecommendationMode], share: Double
    ) -> [RatingRow] {
        let snapshot = engine.snapshot
        let encoder = learned?.encoder ?? PairFeatureEncoder(snapshot: snapshot, features: engine.features)
        func features(_ reviews: [Interaction]) -> (raw: RawPairs, targets: [Double]) {
            var raw = RawPairs(), targets: [Double] = []
            for e in reviews {
                guard let value = e.value, value.isFinite, let p = snapshot.personIndex.index(of: e.person), let o = snapshot.opportunityIndex.index(of: e.opportunity) else { continue }
                raw.append(QueryState(engine: engine, subject: o, forPerson: false, candidates: [p], pool: .everyone).pairFeatures(encoder, positions: [0]))
                targets.append(min(10, max(0, value)) / 10)
            }
            return (raw, targets)
        }
        let reviews = interactions.filter { $0.type == .rate }
        let (testRaw, testTargets) = features(reviews.filter { $0.timestamp >= cut && $0.timestamp < horizonEnd })
        let (trainRaw, trainTargets) = features(Array(reviews.filter { $0.timestamp < cut }.sorted { $0.timestamp > $1.timestamp }.prefix(5000)))
        guard testTargets.count >= 5, trainTargets.count >= 5 else { return [] }
        // Rule-based: rating ≈ a + b × quality rule (feature 0), by least squares.
        let width = encoder.continuousCount
        let q = (0..<trainTargets.count).map { Double(trainRaw.continuous[$0 * width]) }
        let mq = q.reduce(0, +) / Double(q.count), my = trainTargets.reduce(0, +) / Double(trainTargets.count)
        var sxy = 0.0, sxx = 0.0
        for i in q.indices {
            sxy += (q[i] - mq) * (trainTargets[i] - my)
            sxx += (q[i] - mq) * (q[i] - mq)
        }
        let b = sxx > 0 ? sxy / sxx : 0, a = my - b * mq
        let rule = (0..<testTargets.count).map { min(1, max(0, a + b * Double(testRaw.continuous[$0 * width]))) }
        var rows: [RatingRow] = []
        func row(_ mode: RecommendationMode, _ predictions: [Double]) {
            let m = NeuralTrainer.ratingMetrics(predictions: predictions, targets: testTargets, loss: 0)
            rows.append(RatingRow(mode: mode.rawValue, reviews: testTargets.count, rmse: (m.mse ?? 0).squareRoot(), mae: m.mae ?? 0, r2: m.r2 ?? 0))
        }
        if modes.contains(.ruleBased) { row(.ruleBased, rule) }
        if let model = learned?.rating {
            var workspace = NeuralWorkspace()
            let neural = model.forward(testRaw.batch(encoder), workspace: &workspace).final.map { Double(min(1, max(0, $0))) }
            if modes.contains(.neural) { row(.neural, neural) }
            if modes.contains(.ensemble) { row(.ensemble, zip(rule, neural).map { (1 - share) * $0 + share * $1 }) }
        }
        return rows
    }

    struct Pair: Hashable {
        let person: PersonID
        let opportunity: OpportunityID
    }

    /// The marketplace's records, from which windows are cut.
    struct Data {
        let people: [Person]
        let opportunities: [Opportunity]
        let interactions: [Interaction]
        /// Outcome events in time order.
        let outcomes: [Interaction]
        let scenario: ScenarioName?
        let maxSubjects: Int
        /// Each opportunity's first event.
        let firstSeen: [OpportunityID: Timestamp]

        init(people: [Person], opportunities: [Opportunity], interactions: [Interaction], outcomes: [Interaction], scenario: ScenarioName?, maxSubjects: Int) {
            self.people = people
            self.opportunities = opportunities
            self.interactions = interactions
            self.outcomes = outcomes
            self.scenario = scenario
            self.maxSubjects = maxSubjects
            var firstSeen: [OpportunityID: Timestamp] = [:]
            for e in interactions { if firstSeen[e.opportunity].map({ e.timestamp < $0 }) ?? true { firstSeen[e.opportunity] = e.timestamp } }
            self.firstSeen = firstSeen
        }

        /// The engines and subjects of the outcomes in `[cut, horizonEnd)`.
        func window(cut: Timestamp, horizonEnd: Timestamp, configuration: EngineConfiguration, cache: FeatureCache, learned: LearnedModel? = nil) throws(MatchworkError) -> Window {
            func existed(_ o: Opportunity) -> Bool {
                let posted = firstSeen[o.id] ?? o.window.map { $0.start.adding(seconds: -7 * 86_400) } ?? cut
                return posted < horizonEnd
            }
            let byID = Dictionary(uniqueKeysWithValues: opportunities.map { ($0.id, $0) })
            var testPairs = Set<Pair>()
            for e in outcomes where e.timestamp >= cut && e.timestamp < horizonEnd {
                if let o = byID[e.opportunity], existed(o) { testPairs.insert(Pair(person: e.person, opportunity: e.opportunity)) }
            }
            let testOpportunities = Set(testPairs.map(\.opportunity))

            // The marketplace as it was at the cut.
            let train = interactions.filter { $0.timestamp < cut && !testPairs.contains(Pair(person: $0.person, opportunity: $0.opportunity)) }
            let atCut = opportunities.map { o -> Opportunity in
                var copy = o
                let starts = o.window.map { $0.start > cut } ?? true
                copy.status = existed(o) && (starts || testOpportunities.contains(o.id)) ? .open : .closed
                return copy
            }
            let snapshot = try MarketplaceSnapshot(people: people, opportunities: atCut, interactions: train, scenario: scenario, now: cut)
            let engine = try RecommendationEngine(snapshot: snapshot, configuration: configuration, cache: cache, learnedModel: learned)

            // Applicants protocol: the test opportunities' applications and bids are kept.
            let applications = interactions.filter {
                testOpportunities.contains($0.opportunity) && ($0.type == .apply || $0.type == .bid || $0.type == .view) && $0.timestamp < horizonEnd
            }
            let applicantSnapshot = try MarketplaceSnapshot(people: people, opportunities: atCut, interactions: train + applications, scenario: scenario, now: horizonEnd)
            let applicantEngine = try RecommendationEngine(snapshot: applicantSnapshot, configuration: configuration, features: engine.features, learnedModel: learned)

            var relevantForPerson: [PersonID: Set<String>] = [:]
            var relevantForOpportunity: [OpportunityID: Set<String>] = [:]
            for pair in testPairs {
                relevantForPerson[pair.person, default: []].insert(pair.opportunity.rawValue)
                relevantForOpportunity[pair.opportunity, default: []].insert(pair.person.rawValue)
            }
            let personSubjects = relevantForPerson.keys.sorted().prefix(maxSubjects)
            let opportunitySubjects = relevantForOpportunity.keys.sorted().prefix(maxSubjects)
            return Window(
                engine: engine, applicantEngine: applicantEngine, pairs: testPairs.count,
                personSubjects: personSubjects.map { ($0, relevantForPerson[$0]!) },
                opportunitySubjects: opportunitySubjects.map { ($0, relevantForOpportunity[$0]!) })
        }
    }

    /// One window's engines (everything before the cut; and with the applications of the
    /// window's opportunities) and its subjects with the ids that turned out relevant.
    struct Window {
        let engine: RecommendationEngine
        let applicantEngine: RecommendationEngine
        let pairs: Int
        let personSubjects: [(PersonID, Set<String>)]
        let opportunitySubjects: [(OpportunityID, Set<String>)]

        /// The same window with another configuration, reusing its snapshots and feature indices.
        func reconfigured(_ configuration: EngineConfiguration) throws(MatchworkError) -> Window {
            Window(
                engine: try engine.reconfigured(configuration), applicantEngine: try applicantEngine.reconfigured(configuration), pairs: pairs,
                personSubjects: personSubjects, opportunitySubjects: opportunitySubjects)
        }

        /// The same window with a learned ranker.
        func with(ranker: RankerModel?) -> Window {
            Window(
                engine: engine.with(ranker: ranker), applicantEngine: applicantEngine.with(ranker: ranker), pairs: pairs, personSubjects: personSubjects,
                opportunitySubjects: opportunitySubjects)
        }

        /// Whether the window's marketplace has courses, so that learners' course lists can lead with their learning path.
        var hasCourses: Bool { engine.snapshot.opportunities.contains { $0.kind == .course } }

        func requests(direction: String, mode: RecommendationMode, pathFirst: Bool = false) -> (requests: [RecommendationRequest], relevant: [Set<String>], engine: RecommendationEngine) {
            switch direction {
            case "opportunities_for_people":
                (personSubjects.map { RecommendationRequest(.person($0.0), count: 10, mode: mode, explain: false, pathFirst: pathFirst) }, personSubjects.map(\.1), engine)
            case "people_for_opportunities":
                (opportunitySubjects.map { RecommendationRequest(.opportunity($0.0), count: 10, mode: mode, explain: false) }, opportunitySubjects.map(\.1), engine)
            default:
                (opportunitySubjects.map { RecommendationRequest(.opportunity($0.0), count: 10, mode: mode, pool: .applicants, explain: false) }, opportunitySubjects.map(\.1), applicantEngine)
            }
        }

        func row(direction: String, mode: RecommendationMode, label: String, parallelism: Int, pathFirst: Bool = false) async -> Row {
            let (requests, relevant, runner) = requests(direction: direction, mode: mode, pathFirst: pathFirst)
            let results = await runner.recommend(batch: requests, parallelism: parallelism)
            var hits = 0.0, ndcg = 0.0
            var answered: [String: Int] = [:]
            for (result, wanted) in zip(results, relevant) {
                guard case .success(let list) = result else {
                    answered[Backtest.failed, default: 0] += 1
                    continue
                }
                let ids = list.items.map(\.id)
                if ids.prefix(3).contains(where: wanted.contains) { hits += 1 }
                ndcg += RankingMetrics.ndcg(ids, relevant: wanted, k: 10)
                answered[list.answeredBy.isEmpty ? Backtest.noCandidate : list.answeredBy.joined(separator: "+"), default: 0] += 1
            }
            let n = Double(max(1, requests.count))
            return Row(direction: direction, mode: label, subjects: requests.count, hitRateAt3: hits / n, ndcgAt10: ndcg / n, answeredBy: answered)
        }

        /// A row for the applicants of each test opportunity ranked by `order` (person ids, best
        /// first): the `lowest_bid` rule and the `ceiling`.
        func baselineRow(label: String, order: (OpportunityID) -> [String]) -> Row {
            var hits = 0.0, ndcg = 0.0
            for (opportunity, wanted) in opportunitySubjects {
                let ids = order(opportunity)
                if ids.prefix(3).contains(where: wanted.contains) { hits += 1 }
                ndcg += RankingMetrics.ndcg(ids, relevant: wanted, k: 10)
            }
            let n = Double(max(1, opportunitySubjects.count))
            return Row(direction: "rank_applicants", mode: label, subjects: opportunitySubjects.count, hitRateAt3: hits / n, ndcgAt10: ndcg / n, answeredBy: [label: opportunitySubjects.count])
        }

        /// Each bidder on `opportunity` by their latest priced bid, cheapest first (earlier
        /// first among equal amounts); empty when nobody bid.
        func cheapestFirst(_ opportunity: OpportunityID) -> [String] {
            let snapshot = applicantEngine.snapshot
            guard let o = snapshot.opportunityIndex.index(of: opportunity) else { return [] }
            var latest: [DenseIndex: (amount: Double, first: Int)] = [:]
            for (k, e) in snapshot.events(onOpportunity: o).enumerated() where e.type == .bid && !e.value.isNaN && e.value > 0 {
                latest[e.other] = (Double(e.value), latest[e.other]?.first ?? k)
            }
            return latest.sorted { ($0.value.amount, $0.value.first) < ($1.value.amount, $1.value.first) }.map { snapshot.people[Int($0.key)].id.rawValue }
        }

        /// Component scores of every subject with an eligible candidate, for tuning.
        func samples(direction: String) throws(MatchworkError) -> [ComponentSample] {
            let (requests, relevant, runner) = requests(direction: direction, mode: .ensemble)
            var samples: [ComponentSample] = []
            for (request, wanted) in zip(requests, relevant) {
                if let sample = try runner.componentSample(request, relevant: wanted) { samples.append(sample) }
            }
            return samples
        }
    }
}

/// Top-N metrics exactly as ../shared/PROTOCOL.md defines them.
public enum RankingMetrics {
    /// NDCG@K with binary relevance: `DCG / IDCG`, `DCG = sum_k rel_k / log2(k + 1)`,
    /// `IDCG = sum_{k=1}^{min(|R|, K)} 1 / log2(k + 1)`.
    public static func ndcg(_ list: [String], relevant: Set<String>, k: Int) -> Double {
        guard !relevant.isEmpty else { return 0 }
        var dcg = 0.0
        for (i, id) in list.prefix(k).enumerated() where relevant.contains(id) { dcg += 1 / log2(Double(i + 2)) }
        var idcg = 0.0
        for i in 0..<min(relevant.count, k) { idcg += 1 / log2(Double(i + 2)) }
        return dcg / idcg
    }

    /// 1 when any of the first `k` items is relevant.
    public static func hitRate(_ list: [String], relevant: Set<String>, k: Int) -> Double {
        list.prefix(k).contains(where: relevant.contains) ? 1 : 0
    }

    static func log2(_ x: Double) -> Double { Double.log2(x) }

    /// NDCG@K of one query with graded labels (../shared/PROTOCOL.md, "Ranking with graded
    /// labels"): gain `2^label − 1`, discount `log2(rank + 1)`, documents ordered by score with
    /// ties kept in file order. A query with no relevant document scores 1, as LightGBM and
    /// XGBoost count it.
    public static func gradedNDCG(scores: ArraySlice<Float>, labels: ArraySlice<Float>, k: Int) -> Double {
        precondition(scores.count == labels.count, "one score per label")
        let base = scores.startIndex, labelBase = labels.startIndex
        let order = (0..<scores.count).sorted { (scores[base + $0], $1) > (scores[base + $1], $0) }
        func gain(_ label: Float) -> Double { Double.pow(2, Double(label)) - 1 }
        var dcg = 0.0
        for (rank, i) in order.prefix(k).enumerated() { dcg += gain(labels[labelBase + i]) / Double.log2(Double(rank) + 2) }
        var ideal = 0.0
        for (rank, label) in labels.sorted(by: >).prefix(k).enumerated() { ideal += gain(label) / Double.log2(Double(rank) + 2) }
        return ideal > 0 ? dcg / ideal : 1
    }
}
