/// A neighbour model on top of baselines (Koren 2010, section 2.2), as Surprise's `KNNBaseline`
/// with the `pearson_baseline` similarity. Item-based:
///
///     r̂_ui = b_ui + Σ_{j∈N^k_i(u)} s_ij (r_uj − b_uj) / Σ_{j∈N^k_i(u)} s_ij
///
/// where `b_ui = μ + b_u + b_i` (``BaselineModel``) and `N^k_i(u)` are the `k` items rated by `u`
/// most similar to `i`, keeping only positive similarities. User-based swaps the roles. The
/// similarity is the Pearson correlation of the baseline residuals over the common raters,
/// shrunk towards zero when few raters are shared:
///
///     s_ij = (n_ij − 1) / (n_ij − 1 + shrinkage) · Σ_u z_ui z_uj / √(Σ_u z_ui² · Σ_u z_uj²),   z = r − b
///
/// With fewer than `minimumNeighbours` positive neighbours, the prediction is the baseline.
/// Similarities are precomputed in a dense table for up to ``denseLimit`` entities and
/// computed per pair (a merge of two sorted rater lists) above it.
public struct KNNBaselineModel: RatingModel {
    public struct Configuration: Sendable, Hashable, Codable {
        /// Neighbours per prediction.
        public var neighbours = 40
        /// Fewer positive neighbours than this gives the baseline.
        public var minimumNeighbours = 1
        public var shrinkage: Float = 100
        /// Compare items (`item`) or users (`user`).
        public var based = Basis.item
        public var baseline = BaselineModel.Configuration()

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(neighbours, "k", 1...100_000)
            try check(minimumNeighbours, "min_k", 1...100_000)
            try checkNonNegative(shrinkage, "shrinkage")
            try baseline.validate()
        }
    }

    /// Which side the similarities compare.
    public enum Basis: String, Sendable, Hashable, Codable, CaseIterable {
        case item, user
    }

    /// The entity count up to which similarities are kept in a dense table (64 MB of floats).
    public static let denseLimit = 4096

    public let configuration: Configuration
    public let baselines: BaselineModel
    /// Entities are the columns of `ratings` (items when item-based, users when user-based);
    /// raters are its rows.
    let ratings: InteractionMatrix
    /// Baseline residuals aligned with `ratings`' row and column storage.
    let rowResiduals: [Float]
    let columnResiduals: [Float]
    /// Entity × entity similarities when there are at most ``denseLimit`` entities.
    let dense: [Float]?

    public var knownUsers: Int { baselines.knownUsers }
    public var knownItems: Int { baselines.knownItems }

    /// Fits the baselines and the similarities on `train`, whose values are the ratings.
    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        let baselines = try BaselineModel(train, configuration: configuration.baseline)
        self.baselines = baselines
        let itemBased = configuration.based == .item
        let ratings = itemBased ? train : train.transposed
        self.ratings = ratings
        // z = r − b, with the user and item read through the orientation.
        func residual(rater x: Int, entity e: Int, value: Float) -> Float {
            let (u, i) = itemBased ? (x, e) : (e, x)
            return value - baselines.baseline(user: u, item: i).value
        }
        var rows = [Float](repeating: 0, count: ratings.count)
        for x in 0..<ratings.users { for k in ratings.row(x) { rows[k] = residual(rater: x, entity: Int(ratings.rowItems[k]), value: ratings.rowValues[k]) } }
        var columns = [Float](repeating: 0, count: ratings.count)
        for e in 0..<ratings.items { for k in ratings.column(e) { columns[k] = residual(rater: Int(ratings.columnUsers[k]), entity: e, value: ratings.columnValues[k]) } }
        rowResiduals = rows
        columnResiduals = columns
        dense = ratings.items <= Self.denseLimit ? Self.denseSimilarities(ratings, residuals: rows, shrinkage: configuration.shrinkage) : nil
    }

    /// All pairwise similarities, accumulated rater by rater over the pairs each rater rated.
    static func denseSimilarities(_ m: InteractionMatrix, residuals z: [Float], shrinkage: Float) -> [Float] {
        let n = m.items
        var products = [Float](repeating: 0, count: n * n)
        var squaresA = [Float](repeating: 0, count: n * n)
        var squaresB = [Float](repeating: 0, count: n * n)
        var shared = [Int32](repeating: 0, count: n * n)
        for x in 0..<m.users {
            let row = m.row(x)
            for a in row {
                let ea = Int(m.rowItems[a]), za = z[a]
                for b in row where b > a {
                    let eb = Int(m.rowItems[b]), zb = z[b]
                    // Stored once per unordered pair, at (min, max).
                    let (lo, hi, zlo, zhi) = ea < eb ? (ea, eb, za, zb) : (eb, ea, zb, za)
                    let cell = lo * n + hi
                    products[cell] += zlo * zhi
                    squaresA[cell] += zlo * zlo
                    squaresB[cell] += zhi * zhi
                    shared[cell] += 1
                }
            }
        }
        var result = [Float](repeating: 0, count: n * n)
        for lo in 0..<n {
            result[lo * n + lo] = 1
            for hi in (lo + 1)..<max(lo + 1, n) {
                let cell = lo * n + hi
                let s = similarity(product: products[cell], squaresA: squaresA[cell], squaresB: squaresB[cell], shared: shared[cell], shrinkage: shrinkage)
                result[cell] = s
                result[hi * n + lo] = s
            }
        }
        return result
    }

    /// The shrunk Pearson-baseline similarity from its sums; 0 without a shared rater or
    /// without variance.
    @inline(__always)
    static func similarity(product: Float, squaresA: Float, squaresB: Float, shared: Int32, shrinkage: Float) -> Float {
        let denominator = (squaresA * squaresB).squareRoot()
        guard shared > 0, denominator > 0 else { return 0 }
        let n = Float(shared)
        return (n - 1) / (n - 1 + shrinkage) * product / denominator
    }

    /// The similarity of entities `a` and `b` (columns of `ratings`).
    public func similarity(_ a: Int, _ b: Int) -> Float {
        if a == b { return 1 }
        if let dense { return dense[a * ratings.items + b] }
        return mergedSimilarity(a, b)
    }

    /// The similarity of `a` and `b` from a merge of their sorted rater lists (the path above
    /// ``denseLimit``, and the reference for the dense table).
    func mergedSimilarity(_ a: Int, _ b: Int) -> Float {
        var p = ratings.columnOffsets[a], q = ratings.columnOffsets[b]
        let pEnd = ratings.columnOffsets[a + 1], qEnd = ratings.columnOffsets[b + 1]
        var product: Float = 0, squaresA: Float = 0, squaresB: Float = 0, shared: Int32 = 0
        while p < pEnd && q < qEnd {
            let x = ratings.columnUsers[p], y = ratings.columnUsers[q]
            if x < y { p += 1 } else if y < x { q += 1 } else {
                let za = columnResiduals[p], zb = columnResiduals[q]
                product += za * zb
                squaresA += za * za
                squaresB += zb * zb
                shared += 1
                p += 1
                q += 1
            }
        }
        return Self.similarity(product: product, squaresA: squaresA, squaresB: squaresB, shared: shared, shrinkage: configuration.shrinkage)
    }

    public func predict(user u: Int, item i: Int) -> RatingPrediction {
        let base = baselines.baseline(user: u, item: i)
        guard base.basis == .model else { return base }
        let (rater, entity) = configuration.based == .item ? (u, i) : (i, u)
        // The k most similar entities the rater rated, by a bounded heap on similarity.
        var top = MinHeap(capacity: configuration.neighbours)
        for k in ratings.row(rater) {
            let other = Int(ratings.rowItems[k])
            guard other != entity else { continue }
            let s = similarity(entity, other)
            guard s > 0 else { continue }
            top.offer((Double(s), DenseIndex(k)))
        }
        guard top.items.count >= configuration.minimumNeighbours else { return base }
        var weighted: Float = 0, total: Float = 0
        // Summed most similar first, whatever order the heap keeps them in.
        for neighbour in top.items.sorted(by: { ($0.weight, $1.other) > ($1.weight, $0.other) }) {
            let s = Float(neighbour.weight)
            weighted += s * rowResiduals[Int(neighbour.other)]
            total += s
        }
        return RatingPrediction(base.value + weighted / total, basis: .model)
    }
}
