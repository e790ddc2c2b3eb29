/// One request's component scores over every eligible candidate, with the candidates that
/// turned out relevant: what ensemble weights are tuned on without re-running requests.
public struct ComponentSample {
    /// The request's state, for re-ranking as the engine does.
    let query: QueryState
    /// Per component (``EnsembleWeights/components`` order): the values, or `nil` when the
    /// component could not score this request.
    var values: [[Double]?]
    /// The trained model's values, when one is loaded and could score.
    var neural: [Double]?
    /// Positions of the relevant candidates.
    var relevant: Set<Int>
    /// How many relevant items exist, including those the filters removed (for IDCG).
    var relevantCount: Int
}

extension RecommendationEngine {
    /// The component scores of every eligible candidate of `request`, with `relevant` ids
    /// marked; `nil` when the request has no eligible candidate.
    func componentSample(_ request: RecommendationRequest, relevant: Set<String>) throws(MatchworkError) -> ComponentSample? {
        guard case .ranked(let subject, let forPerson, let candidates, _) = try eligible(for: request) else { return nil }
        let query = QueryState(engine: self, subject: subject, forPerson: forPerson, candidates: candidates, pool: request.pool)
        var values: [[Double]?] = []
        for component in EnsembleWeights.components {
            values.append(try? query.values(of: component).get().values)
        }
        var marked = Set<Int>()
        for (i, c) in candidates.enumerated() {
            let id = forPerson ? snapshot.opportunities[Int(c)].id.rawValue : snapshot.people[Int(c)].id.rawValue
            if relevant.contains(id) { marked.insert(i) }
        }
        let neural = learned == nil ? nil : try? query.values(of: .neural).get().values
        return ComponentSample(query: query, values: values, neural: neural, relevant: marked, relevantCount: relevant.count)
    }
}

/// Chooses ensemble weights on held-out outcomes: every weight vector on a grid over the
/// simplex (steps of 0.1 by default) is scored by the mean NDCG@10 (then hit rate@3) of the
/// top 10 it would rank, computed from component scores sampled once per request.
public enum EnsembleTuning {
    public struct Result: Sendable, Hashable {
        public var weights: EnsembleWeights
        public var ndcgAt10: Double
        public var hitRateAt3: Double
        /// How many requests it was tuned on.
        public var samples: Int
    }

    /// The best weights for `samples`, then (when the samples carry the trained model's
    /// values) the best learned share for them on the same grid, starting from `share`; ties
    /// keep the earlier grid point, which favours the rule-based scorer (the grid starts from
    /// it) and the starting share.
    public static func tune(_ samples: [ComponentSample], share: Double = EnsembleConfiguration.defaultLearnedShare, step: Double = 0.1) -> Result {
        var best = tuneWeights(samples, share: share, step: step)
        guard samples.contains(where: { $0.neural != nil }) else { return best }
        let n = Int((1 / step).rounded())
        for k in [share] + (0...n).map({ Double($0) / Double(n) }) {
            var weights = best.weights
            weights.learnedShare = k
            let (ndcg, hits) = evaluate(weights, on: samples, share: k)
            if (ndcg, hits) > (best.ndcgAt10 + 1e-12, best.hitRateAt3) || best.weights.learnedShare == nil {
                best = Result(weights: weights, ndcgAt10: ndcg, hitRateAt3: hits, samples: samples.count)
            }
        }
        return best
    }

    static func tuneWeights(_ samples: [ComponentSample], share: Double, step: Double) -> Result {
        let n = Int((1 / step).rounded())
        let m = EnsembleWeights.components.count
        // Components that scored no sample keep weight 0: the grid spans the others only.
        var active = (0..<m).filter { k in samples.contains { $0.values[k] != nil } }
        if active.isEmpty { active = [0] }
        var best = Result(weights: EnsembleWeights(), ndcgAt10: -1, hitRateAt3: -1, samples: samples.count)
        var units = [Int](repeating: 0, count: m)
        func visit(_ position: Int, remaining: Int) {
            let k = active[position]
            if position == active.count - 1 {
                units[k] = remaining
                let weights = EnsembleWeights(units.map { Double($0) / Double(n) })
                let (ndcg, hits) = evaluate(weights, on: samples, share: share)
                if (ndcg, hits) > (best.ndcgAt10 + 1e-12, best.hitRateAt3) || best.ndcgAt10 < 0 {
                    best = Result(weights: weights, ndcgAt10: ndcg, hitRateAt3: hits, samples: samples.count)
                }
                return
            }
            // The first component (rule-based) from its largest share down, the others up.
            for units_ in position == 0 ? Array((0...remaining).reversed()) : Array(0...remaining) {
                units[k] = units_
                visit(position + 1, remaining: remaining - units_)
            }
            units[k] = 0
        }
        visit(0, remaining: n)
        return best
    }

    /// Mean NDCG@10 and hit rate@3 of `weights` over `samples`, blending as the engine does:
    /// components that could not score are left out and the others renormalised; the trained
    /// model's values, where a sample has them, take `share` of the score.
    public static func evaluate(_ weights: EnsembleWeights, on samples: [ComponentSample], share: Double = 0) -> (ndcg: Double, hitRate: Double) {
        guard !samples.isEmpty else { return (0, 0) }
        let w = EnsembleWeights.components.map { weights.weight(of: $0) }
        var ndcg = 0.0, hits = 0.0
        var scores: [Double] = []
        for sample in samples {
            let count = sample.query.candidates.count
            scores.removeAll(keepingCapacity: true)
            scores.append(contentsOf: repeatElement(0, count: count))
            var total = 0.0
            for (k, values) in sample.values.enumerated() where w[k] > 0 {
                guard let values else { continue }
                total += w[k]
                for i in 0..<count { scores[i] += w[k] * values[i] }
            }
            if total > 0 { for i in 0..<count { scores[i] /= total } }
            if share > 0, let neural = sample.neural {
                let own = total > 0 ? share : 1
                for i in 0..<count { scores[i] = (1 - own) * scores[i] + own * neural[i] }
            }
            let top = sample.query.engine.rerank(sample.query, scores: &scores, count: 10, ledger: nil).chosen
            var dcg = 0.0
            for (rank, i) in top.enumerated() where sample.relevant.contains(i) { dcg += 1 / RankingMetrics.log2(Double(rank + 2)) }
            var idcg = 0.0
            for rank in 0..<min(sample.relevantCount, 10) { idcg += 1 / RankingMetrics.log2(Double(rank + 2)) }
            ndcg += idcg > 0 ? dcg / idcg : 0
            if top.prefix(3).contains(where: sample.relevant.contains) { hits += 1 }
        }
        return (ndcg / Double(samples.count), hits / Double(samples.count))
    }
}
