import RealModule

/// Replays a marketplace's latest outcomes against recommendations made just before them.
///
/// Protocol:
/// 1. Outcomes are `hire` events (`enroll` when the marketplace has no hires). The cut time
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
///    accuracy" of a marketplace that ranks bids.
/// 5. Metrics, as ../shared/PROTOCOL.md defines them: hit rate@3 = share of subjects with a
///    relevant item in the top 3; NDCG@10 with binary relevance and
///    `IDCG = sum_{k=1}^{min(|R|,10)} 1 / log2(k + 1)`. Subjects with no eligible candidate
///    count as misses.
public enum Backtest {
    public struct Row: Sendable, Hashable, Codable {
        public var direction: String
        public var mode: String
        public var subjects: Int
        public var hitRateAt3: Double
        public var ndcgAt10: Double
        /// Which components answered, and how often.
        public var answeredBy: [String: Int]
    }

    public struct Report: Sendable, Hashable, Codable {
        public var scenario: String?
        public var cut: Timestamp
        public var horizonDays: Int
        public var outcomeType: String
        public var testOutcomes: Int
        public var rows: [Row]
    }

    public static let directions = ["opportunities_for_people", "people_for_opportunities", "rank_applicants"]

    public static func run(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?,
        modes: [RecommendationMode] = RecommendationMode.allCases, configuration: EngineConfiguration = EngineConfiguration(),
        holdoutShare: Double = 0.2, horizonDays: Int = 14, maxSubjects: Int = 2000, parallelism: Int = 2
    ) async throws(MatchworkError) -> Report {
        guard holdoutShare > 0, holdoutShare < 1 else {
            throw MatchworkError(.invalidConfiguration, "holdout share \(holdoutShare) must be between 0 and 1 (exclusive).", field: "holdout")
        }
        let outcomeType: InteractionType = interactions.contains { $0.type == .hire } ? .hire : .enroll
        let outcomes = interactions.filter { $0.type == outcomeType }.sorted { ($0.timestamp, $0.person, $0.opportunity) < ($1.timestamp, $1.person, $1.opportunity) }
        guard outcomes.count >= 10 else {
            throw MatchworkError(.invalidValue, "the marketplace has \(outcomes.count) \(outcomeType.rawValue) events; a backtest needs at least 10 outcomes to hold out.", field: "interactions")
        }
        let cut = outcomes[Int(Double(outcomes.count) * (1 - holdoutShare))].timestamp
        let horizonEnd = cut.adding(seconds: Int64(horizonDays) * 86_400)

        var firstSeen: [OpportunityID: Timestamp] = [:]
        for e in interactions { if firstSeen[e.opportunity].map({ e.timestamp < $0 }) ?? true { firstSeen[e.opportunity] = e.timestamp } }
        func existed(_ o: Opportunity) -> Bool {
            let posted = firstSeen[o.id] ?? o.window.map { $0.start.adding(seconds: -7 * 86_400) } ?? cut
            return posted < horizonEnd
        }
        let byID = Dictionary(uniqueKeysWithValues: opportunities.map { ($0.id, $0) })
        var testPairs = Set<Pair>()
        for e in outcomes where e.timestamp >= cut && e.timestamp < horizonEnd {
            if let o = byID[e.opportunity], existed(o) { testPairs.insert(Pair(person: e.person, opportunity: e.opportunity)) }
        }
        guard !testPairs.isEmpty else {
            throw MatchworkError(.invalidValue, "no \(outcomeType.rawValue) falls in the \(horizonDays) days after the cut \(cut); widen the horizon.", field: "horizon")
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
        let engine = try RecommendationEngine(snapshot: snapshot, configuration: configuration)

        // Applicants protocol: the test opportunities' applications and bids are kept.
        let applications = interactions.filter {
            testOpportunities.contains($0.opportunity) && ($0.type == .apply || $0.type == .bid || $0.type == .view) && $0.timestamp < horizonEnd
        }
        let applicantSnapshot = try MarketplaceSnapshot(people: people, opportunities: atCut, interactions: train + applications, scenario: scenario, now: horizonEnd)
        let applicantEngine = try RecommendationEngine(snapshot: applicantSnapshot, configuration: configuration)

        var relevantForPerson: [PersonID: Set<String>] = [:]
        var relevantForOpportunity: [OpportunityID: Set<String>] = [:]
        for pair in testPairs {
            relevantForPerson[pair.person, default: []].insert(pair.opportunity.rawValue)
            relevantForOpportunity[pair.opportunity, default: []].insert(pair.person.rawValue)
        }
        let personSubjects = Array(relevantForPerson.keys.sorted().prefix(maxSubjects))
        let opportunitySubjects = Array(relevantForOpportunity.keys.sorted().prefix(maxSubjects))

        var rows: [Row] = []
        for direction in directions {
            for mode in modes {
                let requests: [RecommendationRequest]
                let relevant: [Set<String>]
                let runner: RecommendationEngine
                switch direction {
                case "opportunities_for_people":
                    requests = personSubjects.map { RecommendationRequest(.person($0), count: 10, mode: mode, explain: false) }
                    relevant = personSubjects.map { relevantForPerson[$0]! }
                    runner = engine
                case "people_for_opportunities":
                    requests = opportunitySubjects.map { RecommendationRequest(.opportunity($0), count: 10, mode: mode, explain: false) }
                    relevant = opportunitySubjects.map { relevantForOpportunity[$0]! }
                    runner = engine
                default:
                    requests = opportunitySubjects.map { RecommendationRequest(.opportunity($0), count: 10, mode: mode, pool: .applicants, explain: false) }
                    relevant = opportunitySubjects.map { relevantForOpportunity[$0]! }
                    runner = applicantEngine
                }
                let results = await runner.recommend(batch: requests, parallelism: parallelism)
                var hits = 0.0, ndcg = 0.0
                var answered: [String: Int] = [:]
                for (result, wanted) in zip(results, relevant) {
                    guard case .success(let list) = result else { continue }
                    let ids = list.items.map(\.id)
                    if ids.prefix(3).contains(where: wanted.contains) { hits += 1 }
                    ndcg += RankingMetrics.ndcg(ids, relevant: wanted, k: 10)
                    answered[list.answeredBy.joined(separator: "+"), default: 0] += 1
                }
                let n = Double(max(1, requests.count))
                rows.append(Row(direction: direction, mode: mode.rawValue, subjects: requests.count, hitRateAt3: hits / n, ndcgAt10: ndcg / n, answeredBy: answered))
            }
        }
        return Report(scenario: scenario?.rawValue, cut: cut, horizonDays: horizonDays, outcomeType: outcomeType.rawValue, testOutcomes: testPairs.count, rows: rows)
    }

    struct Pair: Hashable {
        let person: PersonID
        let opportunity: OpportunityID
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
}
