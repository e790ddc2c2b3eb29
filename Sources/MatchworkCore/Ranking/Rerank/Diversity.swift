/// The client cap and maximal marginal relevance (see ``DiversityConfiguration``).
extension QueryState {
    /// Picks `count` candidates from `pool` (sorted by score): at most `maxPerClient` per client
    /// (opportunities only) and maximal marginal relevance; completes from capped ones, then
    /// from `rest`, when the pool runs out, so the list is never cut short.
    func diversify(pool: [Int], scores: [Double], count: Int, rest: () -> [Int]) -> [Int] {
        let diversity = engine.configuration.diversity
        // Diversity re-ranks lists of opportunities; people are ranked on merit alone.
        let cap = forPerson ? diversity.maxPerClient : nil
        let lambda = forPerson ? diversity.lambda : 1
        let vectors = forPerson ? index.opportunityVectors : index.personVectors
        var chosen: [Int] = []
        var perClient: [DenseIndex: Int] = [:]
        var remaining = pool
        var maxSimilarity = [Double](repeating: 0, count: pool.count)
        var skipped: [Int] = []
        while chosen.count < count, !remaining.isEmpty {
            var best = -1
            var bestValue = -Double.infinity
            for (k, i) in remaining.enumerated() {
                let value = lambda * scores[i] - (1 - lambda) * maxSimilarity[k]
                if value > bestValue {
                    bestValue = value
                    best = k
                }
                if lambda >= 1 { break }
            }
            let i = remaining.remove(at: best)
            maxSimilarity.remove(at: best)
            let c = candidates[i]
            if let cap {
                let client = snapshot.clientOf[Int(c)]
                if client >= 0 {
                    if perClient[client, default: 0] >= cap {
                        skipped.append(i)
                        continue
                    }
                    perClient[client, default: 0] += 1
                }
            }
            chosen.append(i)
            if lambda < 1 {
                vectors.withRow(Int(c)) { u in
                    for (k, j) in remaining.enumerated() {
                        let s = vectors.withRow(Int(candidates[j])) { Double(VectorKernels.dot($0, u)) }
                        if s > maxSimilarity[k] { maxSimilarity[k] = s }
                    }
                }
            }
        }
        if chosen.count < count {
            for i in rest() {
                guard chosen.count < count else { break }
                if let cap {
                    let client = snapshot.clientOf[Int(candidates[i])]
                    if client >= 0, perClient[client, default: 0] >= cap {
                        skipped.append(i)
                        continue
                    }
                    if client >= 0 { perClient[client, default: 0] += 1 }
                }
                chosen.append(i)
            }
        }
        // Only capped clients' candidates remain: complete the list with them.
        for i in skipped where chosen.count < count { chosen.append(i) }
        return chosen
    }
}
