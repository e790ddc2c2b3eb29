import Synchronization

/// Recommends opportunities for a person and people for an opportunity, and explains each
/// result.
///
/// The pipeline: candidates → hard filters (``HardFilter``, before any top-k cut) → scoring
/// by the registered scorers (``Scorers``: rule-based, similarity, neighbourhood,
/// collaborative, popularity, neural), one with its fallbacks or their ensemble
/// (``EnsemblePlan``) → re-ranking (`Rerank/`: anti-congestion, at most N per client, maximal
/// marginal relevance) → breakdowns and explanations.
///
/// Fallback order, when a scorer cannot score (no history, no vectors, no activity), as
/// registered in ``Scorers/registered``:
/// - `neighbourhood` → `similarity` → `popularity` → `recency`;
/// - `collaborative` → `similarity` → `popularity` → `recency`;
/// - `similarity` → `popularity` → `recency`;
/// - `popularity` → `recency`;
/// - `neural` → `rule_based` (no trained model, or one trained for another scenario);
/// - `rule_based` always answers (a missing fact counts as neutral);
/// - `ensemble` blends the components that answer (weights renormalised), else `recency`,
///   and gives the trained model its learned share when there is one.
/// `recency` (latest activity first) always answers, so the list is never empty while an
/// eligible candidate exists. Each result says which components answered.
///
/// ```swift
/// let engine = try RecommendationEngine(snapshot: snapshot)
/// let list = try engine.recommend(RecommendationRequest(.person("clinician-7"), count: 10))
/// ```
public struct RecommendationEngine: Sendable {
    public let snapshot: MarketplaceSnapshot
    public let index: FeatureIndex
    public let configuration: EngineConfiguration
    public var features: ScenarioFeatures { index.features }
    /// The ensemble weights in use: the configuration's, else the scenario's.
    public var ensemble: EnsembleConfiguration { configuration.ensemble ?? features.ensemble }
    /// Reusable buffers for per-query scores, so that concurrent queries do not allocate.
    let scratch = ScratchPool()
    /// The collaborative factors, fitted (or carried over from `collaborativeCache`) on first use.
    let collaborativeSource: CollaborativeSource
    /// The trained neural model behind `neural` mode and the ensemble's learned share, if any.
    public let learned: LearnedModel?
    /// The trained model's per-person and per-opportunity shares of its first layers, built on
    /// first use (see ``neuralScores(_:)``).
    let neuralTables = NeuralTables()
    /// The skill market behind path-first course lists, built on first use.
    let skillSource = SkillSource()
    /// The learned ranker behind `ranked` mode and the ensemble's final stage, if any.
    public let ranker: RankerModel?
    /// Clients' habits when hiring among bids, the ranker's features, built on first use.
    let clientHabits = ClientHabits()

    /// - Parameters:
    ///   - features: overrides the scenario's feature mapping.
    ///   - cache: reuses the feature index when the snapshot's version is unchanged.
    ///   - collaborativeCache: reuses the collaborative model across snapshots, folding in
    ///     what changed (see ``CollaborativeCache``); without it the model is fitted on the
    ///     snapshot the first time a request needs it.
    ///   - learnedModel: the trained neural model (`neural` mode, the ensemble's learned
    ///     share); without one, those fall back to the rule-based scorer and say so.
    /// - Throws: when the configuration is invalid.
    public init(
        snapshot: MarketplaceSnapshot, configuration: EngineConfiguration = EngineConfiguration(), features: ScenarioFeatures? = nil, cache: FeatureCache? = nil,
        collaborativeCache: CollaborativeCache? = nil, learnedModel: LearnedModel? = nil, ranker: RankerModel? = nil
    ) throws(MatchworkError) {
        try configuration.validate()
        let features = features ?? ScenarioFeatures.forScenario(snapshot.preset?.name)
        self.snapshot = snapshot
        self.configuration = configuration
        index = cache?.index(for: snapshot, features: features) ?? FeatureIndex(snapshot: snapshot, features: features)
        collaborativeSource = CollaborativeSource(cache: collaborativeCache)
        learned = learnedModel
        self.ranker = ranker
    }

    /// The engine with another configuration, over the same snapshot, feature index and (when
    /// its configuration is unchanged) collaborative model.
    public func reconfigured(_ configuration: EngineConfiguration) throws(MatchworkError) -> RecommendationEngine {
        try configuration.validate()
        let source = configuration.collaborative == self.configuration.collaborative ? collaborativeSource : CollaborativeSource(cache: collaborativeSource.cache)
        return RecommendationEngine(snapshot: snapshot, index: index, configuration: configuration, collaborativeSource: source, learned: learned, ranker: ranker)
    }

    /// The engine with another trained model (or none), over the same snapshot and indices.
    public func with(learnedModel: LearnedModel?) -> RecommendationEngine {
        RecommendationEngine(snapshot: snapshot, index: index, configuration: configuration, collaborativeSource: collaborativeSource, learned: learnedModel, ranker: ranker)
    }

    /// The engine with another learned ranker (or none), over the same snapshot and indices.
    public func with(ranker: RankerModel?) -> RecommendationEngine {
        RecommendationEngine(snapshot: snapshot, index: index, configuration: configuration, collaborativeSource: collaborativeSource, learned: learned, ranker: ranker)
    }

    private init(
        snapshot: MarketplaceSnapshot, index: FeatureIndex, configuration: EngineConfiguration, collaborativeSource: CollaborativeSource, learned: LearnedModel?,
        ranker: RankerModel?
    ) {
        self.snapshot = snapshot
        self.index = index
        self.configuration = configuration
        self.collaborativeSource = collaborativeSource
        self.learned = learned
        self.ranker = ranker
    }

    /// The collaborative factors for this snapshot, fitted on first use.
    ///
    /// - Throws: when the collaborative configuration cannot be fitted.
    public func collaborativeIndex() throws(MatchworkError) -> CollaborativeIndex {
        try collaborativeSource.index(for: snapshot, configuration: configuration.collaborative)
    }

    /// Recommends for one subject.
    ///
    /// - Parameter ledger: recent exposures shared between calls, for anti-congestion; each
    ///   served list is recorded in it.
    /// - Throws: for an unknown subject, a client asked for opportunities, or invalid request values.
    public func recommend(_ request: RecommendationRequest, ledger: ExposureLedger? = nil) throws(MatchworkError) -> Recommendations {
        try recommend(together: [request], ledger: ledger)[0].get()
    }

    /// Recommends for several subjects at once, sharing the matrix products: the trained
    /// model scores every pair of every query that needs it in one pass per kind of list
    /// (``NeuralScorer``), and the collaborative factors of all the candidates meet all the
    /// subjects' folded-in factors in one product (``CollaborativeScorer``): every scorer that
    /// ``Scorer/scoresTogether`` scores the batch's queries that use it at once. Lists are then re-ranked one after the other
    /// (in request order, each seeing the exposures `ledger` recorded for the earlier ones), so
    /// each result is the one ``recommend(_:ledger:)`` gives alone, up to float rounding.
    ///
    /// - Returns: per request, in order, its list or why it has none.
    public func recommend(together requests: [RecommendationRequest], ledger: ExposureLedger? = nil) -> [Result<Recommendations, MatchworkError>] {
        var results = [Result<Recommendations, MatchworkError>?](repeating: nil, count: requests.count)
        var ranked: [(position: Int, query: QueryState, tally: FilterTally)] = []
        for (i, request) in requests.enumerated() {
            do throws(MatchworkError) {
                switch try eligible(for: request) {
                case .answered(let answer): results[i] = .success(answer)
                case .ranked(let subject, let forPerson, let candidates, let tally):
                    ranked.append((i, QueryState(engine: self, subject: subject, forPerson: forPerson, candidates: candidates, pool: request.pool), tally))
                }
            } catch { results[i] = .failure(error) }
        }
        if ranked.count > 1 {
            // The scorers that share work across queries score theirs together.
            for registration in Scorers.registered where registration.scorer.scoresTogether {
                let scorer = registration.scorer
                let queries = ranked.filter { uses(scorer.mode, requests[$0.position].mode, $0.query.target) }.map(\.query)
                guard queries.count > 1 else { continue }
                for (query, result) in zip(queries, scorer.score(together: queries)) { query.setValues(result, of: scorer) }
            }
        }
        for (i, query, tally) in ranked { results[i] = .success(finish(query, requests[i], tally: tally, ledger: ledger)) }
        return results.map { $0! }
    }

    /// Scores, re-ranks and explains one query.
    func finish(_ query: QueryState, _ request: RecommendationRequest, tally: FilterTally, ledger: ExposureLedger?) -> Recommendations {
        let candidates = query.candidates, forPerson = query.forPerson
        query.explains = request.explain
        let considered = candidates.count + tally.counts.values.reduce(0, +)
        let blend = query.blend(mode: request.mode)
        var scores = blend.scores

        var (chosen, adjustments) = rerank(query, scores: &scores, count: request.count, ledger: ledger)
        var pathReasons: [Int: String] = [:], notice: String?
        if request.pathFirst, forPerson {
            (chosen, pathReasons, notice) = pathFirst(query, chosen: chosen, count: request.count)
        }

        var items: [RecommendedItem] = []
        items.reserveCapacity(chosen.count)
        let bids = suggestedBids(query, positions: chosen)
        for (k, i) in chosen.enumerated() {
            let c = candidates[i]
            let breakdown = query.breakdown(candidate: i, blend: blend)
            var explanation = request.explain ? query.explain(candidate: i, breakdown: breakdown, blend: blend) : (reasons: [], assumptions: [])
            if let step = pathReasons[i] { explanation.reasons.insert(step, at: 0) }
            let id = forPerson ? snapshot.opportunities[Int(c)].id.rawValue : snapshot.people[Int(c)].id.rawValue
            let title = forPerson ? snapshot.opportunities[Int(c)].title : snapshot.people[Int(c)].name
            items.append(RecommendedItem(
                id: id, title: title, score: (100 * scores[i]).roundedTo(2), breakdown: breakdown, adjustment: adjustments[i].roundedTo(4),
                reasons: explanation.reasons, assumptions: explanation.assumptions, suggestedBid: bids?[k]))
        }
        ledger?.record(items.map(\.id))
        return Recommendations(
            subject: request.subject, requestedMode: request.mode, answeredBy: blend.answeredBy, fallbacks: blend.fallbacks,
            items: items, candidates: considered, filtered: tally.dictionary, notice: notice,
            modelVersion: modelVersions(answeredBy: blend.answeredBy))
    }

    /// The registry versions of the trained models among `answeredBy`, comma-separated.
    func modelVersions(answeredBy: [String]) -> String? {
        var versions: [String] = []
        if answeredBy.contains(RecommendationMode.neural.rawValue), let v = learned?.version { versions.append(v) }
        if answeredBy.contains(RecommendationMode.collaborative.rawValue), let v = try? collaborativeIndex().modelVersion { versions.append(v) }
        if answeredBy.contains(RecommendationMode.ranked.rawValue), let v = ranker?.version { versions.append(v) }
        return versions.isEmpty ? nil : versions.joined(separator: ", ")
    }

    /// The bid head's suggestions for the candidates at `positions`, within what the market's
    /// bids show (``BidMarket``) and rounded to cents; `nil` without a trained bid head (the
    /// model has one when it was trained on bids).
    func suggestedBids(_ query: QueryState, positions: [Int]) -> [BidSuggestion]? {
        guard let learned, let bid = learned.bid, !positions.isEmpty else { return nil }
        var continuous = query.pairFeatures(learned.encoder, positions: positions).continuous
        learned.encoder.standardise(&continuous)
        let offerAttribute = features.pricing?.offer
        return zip(positions, bid.suggest(continuous: continuous, batch: positions.count)).map { position, raw in
            // Bounded by what the market's bids show (see BidMarket), then rounded to cents.
            let (_, o) = query.pair(query.candidates[position])
            let offer = offerAttribute.flatMap { snapshot.opportunities[Int(o)].attributes[$0] }
            let s = index.bidMarket?.clamp(raw, offer: offer) ?? raw
            return BidSuggestion(minimum: max(0, s.minimum).roundedTo(2), optimal: max(0, s.optimal).roundedTo(2), maximum: max(0, s.maximum).roundedTo(2))
        }
    }

    /// Refuses category filters on facets or values the scenario does not know: such a filter
    /// would silently remove every candidate.
    func checkVocabulary(_ filters: RecommendationFilters) throws(MatchworkError) {
        guard let preset = snapshot.preset else { return }
        for (facet, values) in filters.facets.sorted(by: { $0.key < $1.key }) {
            guard let vocabulary = preset.vocabularies[facet] else {
                let known = preset.vocabularies.keys.map(\.rawValue).sorted().joined(separator: ", ")
                throw MatchworkError(.unknownVocabulary, "filter facet '\(facet)' is not a facet of the \(preset.name.rawValue) scenario; use one of \(known).", field: "filters.\(facet)")
            }
            for value in values { try vocabulary.check(value, field: "filter \(facet)") }
        }
    }

    /// What a request ranks: its subject, direction, the candidates that pass every hard filter
    /// (in ascending index order) and what the filters removed; or the answer when nothing can
    /// be ranked (a closed opportunity, no eligible candidate).
    func eligible(for request: RecommendationRequest) throws(MatchworkError) -> Eligibility {
        try request.validate()
        try checkVocabulary(request.filters)
        var tally = FilterTally()
        let forPerson: Bool
        let subject: DenseIndex
        let candidates: [DenseIndex]
        switch request.subject {
        case .person(let id):
            subject = try snapshot.index(of: id)
            let person = snapshot.people[Int(subject)]
            guard person.role != .client else {
                throw MatchworkError(.invalidValue, "person '\(id)' is a \(features.words.client): recommend people for one of their opportunities instead (--opportunity ID).", field: "person_id")
            }
            forPerson = true
            candidates = eligibleOpportunities(for: subject, filters: request.filters, tally: &tally)
        case .opportunity(let id):
            subject = try snapshot.index(of: id)
            forPerson = false
            let opportunity = snapshot.opportunities[Int(subject)]
            if opportunity.status != .open || snapshot.freeSlots(subject) == 0 {
                let why = opportunity.status != .open ? "is \(opportunity.status.rawValue)" : "has no free slot (\(opportunity.slots) of \(opportunity.slots) taken)"
                return .answered(Recommendations(
                    subject: request.subject, requestedMode: request.mode, answeredBy: [], fallbacks: [], items: [], candidates: 0, filtered: [:],
                    notice: "\(features.words.opportunity.capitalisedFirst) '\(id)' \(why); nobody can be recommended for it."))
            }
            candidates = eligiblePeople(for: subject, filters: request.filters, pool: request.pool, tally: &tally)
        }
        let considered = candidates.count + tally.counts.values.reduce(0, +)
        guard !candidates.isEmpty else {
            let removed = tally.counts.sorted { ($0.value, $1.key.rank) > ($1.value, $0.key.rank) }.map { "\($0.value) \($0.key.rawValue.replacingUnderscores)" }.joined(separator: ", ")
            let what = forPerson ? features.words.opportunities : features.words.people
            return .answered(Recommendations(
                subject: request.subject, requestedMode: request.mode, answeredBy: [], fallbacks: [], items: [], candidates: considered, filtered: tally.dictionary,
                notice: considered == 0 ? "There are no \(what) to consider." : "None of the \(considered) \(what) passes the hard filters (removed: \(removed)); relax the filters."))
        }
        return .ranked(subject: subject, forPerson: forPerson, candidates: candidates, tally: tally)
    }



    /// Recommends for many subjects on `parallelism` concurrent workers, each taking the next
    /// few requests as it finishes. Results come back in request order; a failing request
    /// yields its error without stopping the others.
    public func recommend(batch requests: [RecommendationRequest], ledger: ExposureLedger? = nil, parallelism: Int = 2) async -> [Result<Recommendations, MatchworkError>] {
        let next = BatchCursor()
        let chunk = 8
        return await withTaskGroup(of: [(Int, Result<Recommendations, MatchworkError>)].self) { group in
            for _ in 0..<max(1, parallelism) {
                group.addTask {
                    var done: [(Int, Result<Recommendations, MatchworkError>)] = []
                    while case let start = next.take(chunk), start < requests.count {
                        let end = min(requests.count, start + chunk)
                        let results = self.recommend(together: Array(requests[start..<end]), ledger: ledger)
                        for (k, result) in results.enumerated() { done.append((start + k, result)) }
                    }
                    return done
                }
            }
            var results = [Result<Recommendations, MatchworkError>?](repeating: nil, count: requests.count)
            for await part in group {
                for (i, r) in part { results[i] = r }
            }
            return results.map { $0! }
        }
    }
}

/// What a request ranks, or its answer when there is nothing to rank.
enum Eligibility {
    case ranked(subject: DenseIndex, forPerson: Bool, candidates: [DenseIndex], tally: FilterTally)
    case answered(Recommendations)
}

/// The next unclaimed position of a batch, shared by its workers.
final class BatchCursor: Sendable {
    private let position = Atomic<Int>(0)

    /// Claims `count` positions and returns the first.
    func take(_ count: Int) -> Int { position.add(count, ordering: .relaxed).oldValue }
}

/// The engine's collaborative index, built once on first use (under a lock, so concurrent
/// first requests fit once).
final class CollaborativeSource: Sendable {
    let cache: CollaborativeCache?
    private let state = Mutex<CollaborativeIndex?>(nil)

    init(cache: CollaborativeCache?) { self.cache = cache }

    func index(for snapshot: MarketplaceSnapshot, configuration: CollaborativeConfiguration) throws(MatchworkError) -> CollaborativeIndex {
        let result: Result<CollaborativeIndex, MatchworkError> = state.withLock { stored in
            if let stored { return .success(stored) }
            do throws(MatchworkError) {
                let built: CollaborativeIndex
                if let cache {
                    built = try cache.index(for: snapshot, configuration: configuration)
                } else {
                    built = try CollaborativeIndex(fitting: snapshot, configuration: configuration)
                }
                stored = built
                return .success(built)
            } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Float buffers lent to queries and taken back, so that a query allocates no large array.
final class ScratchPool: Sendable {
    private let buffers = Mutex<[[Float]]>([])

    /// Calls `body` with a buffer of `count` floats (contents unspecified).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        var buffer = buffers.withLock { $0.popLast() } ?? []
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
        defer {
            let returned = buffer
            buffers.withLock { if $0.count < 16 { $0.append(returned) } }
        }
        return try buffer.withUnsafeMutableBufferPointer { try body(UnsafeMutableBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// How often items were recently recommended, shared between calls for anti-congestion.
public final class ExposureLedger: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    public init() {}

    /// Counts one exposure of each id.
    public func record(_ ids: [String]) {
        counts.withLock { for id in ids { $0[id, default: 0] += 1 } }
    }

    /// How many times `id` was recommended since the ledger was created or reset.
    public func exposures(of id: String) -> Int { counts.withLock { $0[id] ?? 0 } }

    public func reset() { counts.withLock { $0.removeAll() } }
}

extension Double {
    func roundedTo(_ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}

extension String {
    var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
