/// One ranking stage: scores the candidates of a query, or says why it cannot.
///
/// A scorer gives each candidate a value in 0...1 (those that normalise give the best candidate
/// 1), or a ``Fallback`` with the reason it cannot score this query; the engine then follows its
/// registered fallback (``Scorers``). It also says how a candidate's value reads in the score
/// breakdown and which plain-words reasons it supports.
///
/// Adding a scorer: one file here with the type and its mode, and one line in
/// ``Scorers/registered``.
protocol Scorer: Sendable {
    /// The mode that asks for this scorer alone; its name in weights, breakdowns and fallbacks.
    var mode: RecommendationMode { get }

    /// Whether scoring several queries together shares work (one matrix product for all):
    /// then the engine scores a batch's queries that need it with ``score(together:)``.
    var scoresTogether: Bool { get }

    /// The values of the query's candidates, in candidate order, or why there are none.
    func score(_ query: QueryState) -> Result<ScorerValues, Fallback>

    /// Each query's values, in order (by default one query after the other).
    func score(together queries: [QueryState]) -> [Result<ScorerValues, Fallback>]

    /// The breakdown part of the candidate at position `i` for this scorer's `component` of the
    /// blend: by default its value and weight, split into the value's named parts if it has any.
    func part(_ query: QueryState, candidate i: Int, component: Blend.Component) -> ScorePart

    /// The reasons this scorer's `part` of a candidate's score supports (none by default).
    func reasons(_ query: QueryState, candidate i: Int, part: ScorePart) -> [String]
}

/// A scorer's values for one query's candidates.
struct ScorerValues {
    var values: [Double]
    /// Each value split into named parts, with every candidate's share of each (shares sum to 1
    /// per candidate), as the trained model's collaborative and content parts; empty when the
    /// scorer is one part.
    var split: [(component: String, shares: [Double])] = []
}

extension Scorer {
    var scoresTogether: Bool { false }

    func score(together queries: [QueryState]) -> [Result<ScorerValues, Fallback>] { queries.map(score) }

    func part(_ query: QueryState, candidate i: Int, component: Blend.Component) -> ScorePart {
        let value = component.values[i]
        var part = ScorePart(component: component.name, value: value.roundedTo(4), weight: component.weight.roundedTo(4))
        part.parts = component.split.map { name, shares in
            let s = shares[i]
            var p = ScorePart(component: name, value: value.roundedTo(4), weight: (component.weight * s).roundedTo(4))
            p.points = (100 * value * component.weight * s).roundedTo(2)
            return p
        }
        part.points = part.points.roundedTo(2)
        return part
    }

    func reasons(_ query: QueryState, candidate i: Int, part: ScorePart) -> [String] { [] }

    /// `values` scaled so that the largest is 1, or `reason` when none is positive.
    func normalised(_ values: [Double], reason: String) -> Result<ScorerValues, Fallback> {
        let top = values.max() ?? 0
        guard top > 0 else { return .failure(Fallback(component: mode.rawValue, reason: reason)) }
        return .success(ScorerValues(values: values.map { $0 / top }))
    }

    func fallback(_ reason: String) -> Fallback { Fallback(component: mode.rawValue, reason: reason) }
}

/// The registered scorers, and where each falls back when it cannot answer.
enum Scorers {
    struct Registration: Sendable {
        let scorer: any Scorer
        /// The scorer to try next when this one cannot answer; `nil`: ``lastResort``.
        let fallback: RecommendationMode?

        init(_ scorer: any Scorer, fallback: RecommendationMode?) {
            self.scorer = scorer
            self.fallback = fallback
        }
    }

    /// Every requestable scorer, in the order modes are listed.
    static let registered: [Registration] = [
        Registration(RuleBasedScorer(), fallback: nil),
        Registration(SimilarityScorer(), fallback: .popularity),
        Registration(NeighbourhoodScorer(), fallback: .similarity),
        Registration(CollaborativeScorer(), fallback: .similarity),
        Registration(PopularityScorer(), fallback: nil),
        Registration(NeuralScorer(), fallback: .ruleBased),
    ]

    /// Answers for every candidate: the end of every fallback chain, and the answer of an
    /// ensemble none of whose components can score.
    static let lastResort = RecencyScorer()

    private static let byMode: [RecommendationMode: Registration] = Dictionary(uniqueKeysWithValues: registered.map { ($0.scorer.mode, $0) })

    /// The scorer of a requestable mode other than `ensemble`.
    static func scorer(_ mode: RecommendationMode) -> any Scorer {
        guard let registration = byMode[mode] else { preconditionFailure("Scorers: no scorer is registered for mode '\(mode)'") }
        return registration.scorer
    }

    /// The scorers `mode` tries in order: its own, then its fallbacks; ``lastResort`` follows.
    static func chain(from mode: RecommendationMode) -> [any Scorer] {
        var chain: [any Scorer] = []
        var next: RecommendationMode? = mode
        while let current = next, let registration = byMode[current], !chain.contains(where: { $0.mode == current }) {
            chain.append(registration.scorer)
            next = registration.fallback
        }
        return chain
    }
}
