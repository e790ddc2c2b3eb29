/// The windows the trained models learn from (``NeuralTraining``, ``RankerTraining``): the
/// spans of `horizonDays` back from `end` (default: just after the latest outcome), each with
/// the marketplace rebuilt as it was at its start, as ``Backtest`` cuts its test window, so that
/// no outcome leaks into its own features.
struct TrainingWindows {
    let outcomeType: InteractionType
    /// Where the windows end: the history and outcomes before it are used.
    let end: Timestamp
    let history: [Interaction]
    let data: Backtest.Data
    let horizon: Int64

    init(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?, end: Timestamp?, horizonDays: Int, maxSubjects: Int
    ) {
        let interactions = Interaction.standing(interactions)
        let (outcomeType, outcomeEvents) = Backtest.outcomes(interactions, opportunities: opportunities, scenario: scenario)
        // The windows end where the outcomes end, so that later events of other kinds (views,
        // feedback stamped with the real clock) do not push them past the data.
        let end =
            end ?? (MarketplaceSnapshot.referenceTime(of: outcomeEvents)
                ?? MarketplaceSnapshot.referenceTime(of: interactions))?.adding(seconds: 1) ?? Timestamp(secondsSinceEpoch: 0)
        let history = interactions.filter { $0.timestamp < end }
        let outcomes = outcomeEvents.filter { $0.timestamp < end }.sorted { ($0.timestamp, $0.person, $0.opportunity) < ($1.timestamp, $1.person, $1.opportunity) }
        self.outcomeType = outcomeType
        self.end = end
        self.history = history
        self.horizon = Int64(horizonDays) * 86_400
        self.data = Backtest.Data(people: people, opportunities: opportunities, interactions: history, outcomes: outcomes, scenario: scenario, maxSubjects: maxSubjects)
    }

    /// Calls `body` with `k` (1 the newest), the window's start and its rebuilt marketplace for
    /// each of the last `count` windows that holds an outcome and a pair to learn from; stops at
    /// the first window with no outcome before it. `learned(k, cut)` is the neural model window
    /// `k`'s engine scores with, if any.
    func forEach(
        count: Int, configuration: EngineConfiguration, learned: (_ k: Int, _ cut: Timestamp) throws(MatchworkError) -> LearnedModel? = { _, _ in nil },
        _ body: (_ k: Int, _ cut: Timestamp, _ window: Backtest.Window) throws(MatchworkError) -> Void
    ) throws(MatchworkError) {
        let outcomes = data.outcomes
        for k in 1...count {
            let cut = end.adding(seconds: -Int64(k) * horizon)
            let windowEnd = cut.adding(seconds: horizon)
            guard outcomes.contains(where: { $0.timestamp >= cut && $0.timestamp < windowEnd }) else { continue }
            guard outcomes.contains(where: { $0.timestamp < cut }) else { break }
            let window = try data.window(cut: cut, horizonEnd: windowEnd, configuration: configuration, cache: FeatureCache(), learned: try learned(k, cut))
            guard window.pairs > 0 else { continue }
            try body(k, cut, window)
        }
    }
}

/// One list to learn from: a request's eligible candidates, split into the positions of those
/// that turned out relevant (hired, enrolled) and the others.
struct TrainingList {
    let request: RecommendationRequest
    let query: QueryState
    let relevant: [Int]
    let others: [Int]
}

extension Backtest.Window {
    /// The lists of `direction` with at least one relevant candidate among the eligible ones.
    func trainingLists(direction: String, mode: RecommendationMode) throws(MatchworkError) -> [TrainingList] {
        let (requests, relevant, engine) = requests(direction: direction, mode: mode)
        var lists: [TrainingList] = []
        for (request, wanted) in zip(requests, relevant) {
            guard case .ranked(let subject, let forPerson, let candidates, _) = try engine.eligible(for: request) else { continue }
            let query = QueryState(engine: engine, subject: subject, forPerson: forPerson, candidates: candidates, pool: request.pool)
            var positions: [Int] = [], others: [Int] = []
            for (i, c) in candidates.enumerated() {
                let id = forPerson ? engine.snapshot.opportunities[Int(c)].id.rawValue : engine.snapshot.people[Int(c)].id.rawValue
                if wanted.contains(id) { positions.append(i) } else { others.append(i) }
            }
            guard !positions.isEmpty else { continue }
            lists.append(TrainingList(request: request, query: query, relevant: positions, others: others))
        }
        return lists
    }
}
