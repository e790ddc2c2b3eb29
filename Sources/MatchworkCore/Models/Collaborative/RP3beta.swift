import Dispatch
import RealModule

/// RP3beta (Paudel et al. 2016, as in Dacrema et al., RecSys 2019): item-item weights from a
/// random walk of three steps on the user-item graph, item → user → item, with transition
/// probabilities raised to `alpha` and each destination divided by its popularity to the
/// power `beta`:
///
/// `W[i][j] = (Σ_u (r_ui / d_i)^α (r_uj / d_u)^α) / pop(j)^β`, with `d_i` the sum of item `i`'s
/// column, `d_u` of user `u`'s row and `pop(j)` the users of item `j`; `W[i][i] = 0`, and each row
/// keeps its `neighbours` largest weights (scaled to sum to 1 when `normalize` is set). A
/// user's scores are `x_u · W`, as item-kNN scores with cosine weights.
///
/// `beta = 0` and `alpha = 1` is P3alpha's plain walk, which favours popular items; raising
/// `beta` moves the lists towards the long tail.
public struct RP3betaModel: TopNModel {
    public struct Configuration: Sendable, Hashable, Codable {
        /// The power of each transition probability (1: the plain walk).
        public var alpha: Float = 1
        /// The power of the destination's popularity that divides its weight.
        public var beta: Float = 0.6
        /// Weights kept per item.
        public var neighbours = 100
        /// Scale each item's kept weights to sum to 1.
        public var normalize = false
        public var threads = 2

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(neighbours, "neighbours", 1...100_000)
            try check(threads, "threads", 1...256)
            guard alpha.isFinite, alpha > 0, alpha <= 10 else {
                throw MatchworkError(.invalidConfiguration, "alpha \(alpha) must be a number in (0, 10]; 1 is the plain random walk.", field: "alpha")
            }
            guard beta.isFinite, beta >= 0, beta <= 2 else {
                throw MatchworkError(.invalidConfiguration, "beta \(beta) must be a number in [0, 2]; 0 leaves popularity alone.", field: "beta")
            }
        }
    }

    public let configuration: Configuration
    let train: InteractionMatrix
    /// Per item `i`: its kept destinations `targets[offsets[i]..<offsets[i + 1]]` with `weights`.
    let offsets: [Int]
    let targets: [Int32]
    let weights: [Float]
    public var itemCount: Int { train.items }

    /// - Complexity: O(Σ over items of the entries of the rows that touch it), spread over
    ///   `threads` workers, each with its own dense accumulator.
    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        self.train = train
        let items = train.items, alpha = configuration.alpha
        // Row and column sums, and each destination's popularity penalty.
        var userDegree = [Float](repeating: 0, count: train.users)
        for u in 0..<train.users { for p in train.row(u) { userDegree[u] += train.rowValues[p] } }
        let itemDegree = (0..<items).map { i in train.column(i).reduce(Float(0)) { $0 + train.columnValues[$1] } }
        let penalty = (0..<items).map { i in train.column(i).isEmpty ? 0 : 1 / Float.pow(Float(train.column(i).count), configuration.beta) }
        // The user → item step of every entry, in row order: (r_uj / d_u)^α.
        var steps = [Float](repeating: 0, count: train.count)
        for u in 0..<train.users where userDegree[u] > 0 {
            for p in train.row(u) { steps[p] = Self.power(train.rowValues[p] / userDegree[u], alpha) }
        }
        let forward = steps
        let workers = max(1, min(configuration.threads, items))
        let lists = CosineNeighbours.NeighbourLists(items)
        let k = configuration.neighbours, normalize = configuration.normalize
        do {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var reached = [Float](repeating: 0, count: items)
                var touched: [Int32] = []
                var i = w
                while i < items {
                    defer { i += workers }
                    guard itemDegree[i] > 0 else {
                        lists.store([], at: i)
                        continue
                    }
                    for p in train.column(i) {
                        let u = Int(train.columnUsers[p])
                        let back = Self.power(train.columnValues[p] / itemDegree[i], alpha)
                        for q in train.row(u) {
                            let j = train.rowItems[q]
                            if Int(j) == i { continue }
                            if reached[Int(j)] == 0 { touched.append(j) }
                            reached[Int(j)] += back * forward[q]
                        }
                    }
                    var top = TopK(k)
                    for j in touched where reached[Int(j)] > 0 { top.offer(reached[Int(j)] * penalty[Int(j)], j) }
                    var best = top.sortedWithScores()
                    if normalize {
                        let total = best.reduce(0) { $0 + $1.1 }
                        if total > 0 { best = best.map { ($0.0, $0.1 / total) } }
                    }
                    for j in touched { reached[Int(j)] = 0 }
                    touched.removeAll(keepingCapacity: true)
                    lists.store(best, at: i)
                }
            }
        }
        (offsets, targets, weights) = lists.compressed()
    }

    @inline(__always)
    static func power(_ x: Float, _ alpha: Float) -> Float { alpha == 1 ? x : Float.pow(x, alpha) }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<scores.count { scores[i] = 0 }
        guard u >= 0, u < train.users else { return }
        for p in train.row(u) {
            let i = Int(train.rowItems[p]), value = train.rowValues[p]
            for q in offsets[i]..<offsets[i + 1] { scores[Int(targets[q])] += value * weights[q] }
        }
    }

    /// Item `i`'s kept destinations with their weights, largest first.
    public func similar(to i: Int) -> [(index: Int, similarity: Float)] {
        guard i >= 0, i < itemCount else { return [] }
        return (offsets[i]..<offsets[i + 1]).map { (Int(targets[$0]), weights[$0]) }
    }
}
