/// The scores of one request: each component's values per candidate, their weights, and
/// which components answered.
struct Blend {
    struct Component {
        let scorer: any Scorer
        let weight: Double
        let values: [Double]
        /// The values' named parts (``ScorerValues/split``).
        let split: [(component: String, shares: [Double])]

        var name: String { scorer.mode.rawValue }

        init(_ scorer: any Scorer, weight: Double, _ values: ScorerValues) {
            self.scorer = scorer
            self.weight = weight
            self.values = values.values
            split = values.split
        }
    }
    var components: [Component]
    var scores: [Double]
    var answeredBy: [String]
    var fallbacks: [Fallback]

    /// One scorer's values, alone.
    init(_ scorer: any Scorer, _ values: ScorerValues, fallbacks: [Fallback]) {
        components = [Component(scorer, weight: 1, values)]
        scores = values.values
        answeredBy = [scorer.mode.rawValue]
        self.fallbacks = fallbacks
    }

    init(components: [Component], scores: [Double], fallbacks: [Fallback]) {
        self.components = components
        self.scores = scores
        answeredBy = components.map(\.name)
        self.fallbacks = fallbacks
    }
}

/// What an `ensemble` request blends for one kind of list: the scorers with a positive
/// weight, and the trained model with its learned share over their blend.
struct EnsemblePlan {
    var parts: [(scorer: any Scorer, weight: Double)]
    /// The scorer given a share of the score over the blend of `parts`, and that share.
    var learned: (scorer: any Scorer, share: Double)?

    init(_ configuration: EnsembleConfiguration, target: RankingTarget) {
        parts = configuration[target].all.filter { $0.1 > 0 }.map { (Scorers.scorer($0.0), $0.1) }
        let share = configuration.learnedShare(for: target)
        learned = share > 0 ? (Scorers.scorer(.neural), share) : nil
    }

    /// Whether the plan scores with `scorer` (before any fallback).
    func uses(_ scorer: RecommendationMode) -> Bool {
        parts.contains { $0.scorer.mode == scorer } || learned?.scorer.mode == scorer
    }
}

extension QueryState {
    /// The blend `mode` gives this query: a scorer's chain, the first that answers
    /// (``Scorers``), or the ensemble's blend of the components that answer, renormalised
    /// (``EnsemblePlan``); the last resort when nothing answers.
    ///
    /// `ranked`, and `ensemble` when a ranker is loaded (its `finalStage`), score with the
    /// learned ranker (``RankedScorer``) over every component; without one for the list,
    /// `ranked` falls back to the ensemble. Without `learned`, the ensemble leaves the trained
    /// neural model's share out (the learned ranker's features: it is trained on windows the
    /// neural model may have learned from).
    func blend(mode: RecommendationMode, finalStage: Bool = true, learned: Bool = true) -> Blend {
        var fallbacks: [Fallback] = []
        let lastResort = Scorers.lastResort
        if mode == .ranked || (finalStage && mode == .ensemble && engine.ranker != nil) {
            let scorer = RankedScorer()
            switch values(of: scorer) {
            case .success(let values): return Blend(scorer, values, fallbacks: [])
            case .failure(let f): if mode == .ranked { fallbacks.append(f) }
            }
        }
        guard mode == .ensemble || mode == .ranked else {
            for scorer in Scorers.chain(from: mode) {
                switch values(of: scorer) {
                case .success(let values): return Blend(scorer, values, fallbacks: fallbacks)
                case .failure(let f): fallbacks.append(f)
                }
            }
            return Blend(lastResort, ScorerValues(values: lastResort.values(self)), fallbacks: fallbacks)
        }
        let plan = EnsemblePlan(engine.ensemble, target: target)
        var parts: [(scorer: any Scorer, weight: Double, values: ScorerValues)] = []
        for (scorer, weight) in plan.parts {
            switch values(of: scorer) {
            case .success(let values): parts.append((scorer, weight, values))
            case .failure(let f): fallbacks.append(f)
            }
        }
        // The trained model's share, over the blend of the others.
        if learned, let (scorer, share) = plan.learned {
            switch values(of: scorer) {
            case .success(let values):
                let others = parts.reduce(0) { $0 + $1.weight }
                if others > 0 {
                    parts = parts.map { ($0.scorer, $0.weight / others * (1 - share), $0.values) }
                    parts.append((scorer, share, values))
                } else {
                    parts = [(scorer, 1, values)]
                }
            case .failure(let f): fallbacks.append(f)
            }
        }
        let total = parts.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return Blend(lastResort, ScorerValues(values: lastResort.values(self)), fallbacks: fallbacks) }
        var scores = [Double](repeating: 0, count: candidates.count)
        for (_, weight, values) in parts {
            let w = weight / total
            for i in scores.indices { scores[i] += w * values.values[i] }
        }
        return Blend(components: parts.map { Blend.Component($0.scorer, weight: $0.weight / total, $0.values) }, scores: scores, fallbacks: fallbacks)
    }

    /// Each component's part of candidate `i`'s score (``Scorer/part(_:candidate:component:)``).
    func breakdown(candidate i: Int, blend: Blend) -> [ScorePart] {
        blend.components.map { $0.scorer.part(self, candidate: i, component: $0) }
    }
}

extension RecommendationEngine {
    /// Whether a request in `mode` for a list of `target` scores with `scorer` (before fallbacks).
    func uses(_ scorer: RecommendationMode, _ mode: RecommendationMode, _ target: RankingTarget) -> Bool {
        if mode == scorer { return true }
        guard mode == .ensemble else { return false }
        return EnsemblePlan(ensemble, target: target).uses(scorer)
    }
}
