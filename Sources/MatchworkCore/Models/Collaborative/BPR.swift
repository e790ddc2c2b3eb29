import RealModule

/// Bayesian personalised ranking (Rendle et al. 2009): factors trained by stochastic gradient
/// ascent on `log σ(x_u·(y_i − y_j) + b_i − b_j)` for an observed pair `(u, i)` and an item `j`
/// the user did not interact with, drawn in proportion to its popularity or uniformly
/// (``NegativeSampling``).
///
/// Each epoch draws as many triples as there are observed pairs. Training is sequential, so the
/// same seed gives the same factors.
public struct BPRModel: TopNModel {
    public struct Configuration: Sendable, Hashable, Codable {
        public var factors = 64
        public var learningRate: Float = 0.01
        public var regularization: Float = 0.01
        public var iterations = 100
        /// How negative items are drawn.
        public var negatives = NegativeSampling.popularity
        public var seed: UInt64 = 42

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(factors, "factors", 1...1024)
            try check(iterations, "iterations", 0...10_000)
            try checkPositive(learningRate, "learning_rate")
            try checkNonNegative(regularization, "regularization")
        }
    }

    /// How BPR draws the item a user did not interact with.
    public enum NegativeSampling: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every item equally.
        case uniform
        /// In proportion to its popularity (the item of a random observed pair), as implicit
        /// does: popular items are pushed down where a user ignored them.
        case popularity
    }

    public let configuration: Configuration
    /// Row-major `users × factors` and `items × factors`, and item biases.
    public private(set) var userFactors: [Float]
    public private(set) var itemFactors: [Float]
    public private(set) var itemBiases: [Float]
    public var itemCount: Int { itemBiases.count }

    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        let f = configuration.factors, items = train.items
        var generator = SeededGenerator(seed: configuration.seed)
        var x = (0..<(train.users * f)).map { _ in Float(generator.unit() - 0.5) / Float(f) }
        var y = (0..<(items * f)).map { _ in Float(generator.unit() - 0.5) / Float(f) }
        var b = [Float](repeating: 0, count: items)
        let pairs = train.count
        // The user of each observed pair.
        var owner = [Int32](repeating: 0, count: pairs)
        for u in 0..<train.users { for p in train.row(u) { owner[p] = Int32(u) } }
        let lr = configuration.learningRate, reg = configuration.regularization
        let popular = configuration.negatives == .popularity
        func negative(_ generator: inout SeededGenerator) -> Int {
            popular ? Int(train.rowItems[Int(generator.next() % UInt64(pairs))]) : Int(generator.next() % UInt64(items))
        }
        if pairs > 0 && items > 1 {
            x.withUnsafeMutableBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    for _ in 0..<configuration.iterations {
                        for _ in 0..<pairs {
                            let p = Int(generator.next() % UInt64(pairs))
                            let u = Int(owner[p]), i = Int(train.rowItems[p])
                            var j = negative(&generator)
                            var tries = 0
                            while train.rowItems[train.row(u)].sortedContains(Int32(j)) && tries < 20 {
                                j = negative(&generator)
                                tries += 1
                            }
                            if j == i || tries == 20 { continue }
                            let ub = u * f, ib = i * f, jb = j * f
                            var score = b[i] - b[j]
                            for d in 0..<f { score += x[ub + d] * (y[ib + d] - y[jb + d]) }
                            let z = 1 / (1 + Float.exp(score))
                            b[i] += lr * (z - reg * b[i])
                            b[j] += lr * (-z - reg * b[j])
                            for d in 0..<f {
                                let xu = x[ub + d], yi = y[ib + d], yj = y[jb + d]
                                x[ub + d] += lr * (z * (yi - yj) - reg * xu)
                                y[ib + d] += lr * (z * xu - reg * yi)
                                y[jb + d] += lr * (-z * xu - reg * yj)
                            }
                        }
                    }
                }
            }
        }
        userFactors = x
        itemFactors = y
        itemBiases = b
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        FactorScores.score(user: u, users: userFactors, items: itemFactors, factors: configuration.factors, into: scores)
        for i in itemBiases.indices { scores[i] += itemBiases[i] }
    }
}
