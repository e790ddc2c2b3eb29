extension RecommendationEngine {
    /// Re-ranks blended scores: anti-congestion on the leading pool, then the client cap and
    /// maximal marginal relevance. Returns the chosen candidate positions and each candidate's
    /// anti-congestion multiplier (already applied to `scores`).
    func rerank(_ query: QueryState, scores: inout [Double], count: Int, ledger: ExposureLedger?) -> (chosen: [Int], adjustments: [Double]) {
        let candidates = query.candidates
        let poolSize = min(candidates.count, max(count * 5, count + 50))
        var pool = Self.top(poolSize, of: scores) { [scores] a, b in (scores[a], candidates[b]) > (scores[b], candidates[a]) }
        var adjustments = [Double](repeating: 1, count: candidates.count)
        for i in pool {
            let pressure = query.pressure(candidates[i], ledger: ledger)
            adjustments[i] = configuration.antiCongestion.multiplier(pressure: pressure)
            scores[i] *= adjustments[i]
        }
        let adjusted = scores
        pool.sort { (adjusted[$0], candidates[$1]) > (adjusted[$1], candidates[$0]) }
        let chosen = query.diversify(pool: pool, scores: adjusted, count: count) {
            // The candidates outside the pool, best first, only when the pool runs out.
            let inPool = Set(pool)
            return candidates.indices.filter { !inPool.contains($0) }.sorted { (adjusted[$0], candidates[$1]) > (adjusted[$1], candidates[$0]) }
        }
        return (chosen, adjustments)
    }

    /// The positions of the `k` best scores, best first (ties: `better` decides), by a bounded
    /// heap rather than a sort of every candidate.
    static func top(_ k: Int, of scores: [Double], by better: (Int, Int) -> Bool) -> [Int] {
        guard k < scores.count else { return scores.indices.sorted(by: better) }
        var heap = MinHeap(capacity: k)
        for (i, score) in scores.enumerated() { heap.offer((score, DenseIndex(i))) }
        // The heap breaks ties by position; candidates are in ascending index order, so that
        // agrees with `better`, and the final sort applies it exactly.
        return heap.items.map { Int($0.other) }.sorted(by: better)
    }
}
