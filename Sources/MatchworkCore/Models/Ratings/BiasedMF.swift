/// Biased matrix factorisation for explicit ratings, trained by stochastic gradient descent on
/// the regularised squared error (Funk 2006; Koren, Bell and Volinsky 2009), as Surprise's `SVD`:
///
///     r̂_ui = μ + b_u + b_i + q_iᵀ p_u
///     e_ui = r_ui − r̂_ui
///     b_u ← b_u + η_b (e_ui − λ_b b_u)      b_i ← b_i + η_b (e_ui − λ_b b_i)
///     p_u ← p_u + η (e_ui q_i − λ p_u)       q_i ← q_i + η (e_ui p_u − λ q_i)
///
/// Factors start from N(0, `initialDeviation`²). Each epoch visits the ratings in a fresh
/// seeded order (Surprise keeps file order), and the learning rate decays by `decay` per
/// epoch. Training is sequential, so a seed gives the same model on every run.
///
/// An unknown user or item falls back to the biases that are known (``RatingPrediction/Basis``).
public struct BiasedMFModel: RatingModel {
    public struct Configuration: Sendable, Hashable, Codable {
        public var factors = 100
        public var iterations = 20
        /// η, for the factors and biases.
        public var learningRate: Float = 0.005
        /// λ for the factors.
        public var regularization: Float = 0.02
        /// λ_b for the biases.
        public var biasRegularization: Float = 0.02
        /// The learning rate is multiplied by this after each epoch (1 keeps it constant).
        public var decay: Float = 1
        /// Standard deviation of the initial factors.
        public var initialDeviation: Float = 0.1
        public var seed: UInt64 = 42

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(factors, "factors", 0...1024)
            try check(iterations, "iterations", 0...10_000)
            try checkPositive(learningRate, "learning_rate")
            try checkNonNegative(regularization, "regularization")
            try checkNonNegative(biasRegularization, "bias_regularization")
            try checkNonNegative(initialDeviation, "init_std")
            guard decay.isFinite, decay > 0, decay <= 1 else {
                throw MatchworkError(.invalidConfiguration, "decay \(decay) must be in (0, 1].", field: "decay")
            }
        }
    }

    public let configuration: Configuration
    public let mean: Float
    public let userBiases: [Float]
    public let itemBiases: [Float]
    /// Row-major `users × factors` and `items × factors`.
    public let userFactors: [Float]
    public let itemFactors: [Float]
    public var knownUsers: Int { userBiases.count }
    public var knownItems: Int { itemBiases.count }

    /// Fits the model on `train`, whose values are the ratings.
    ///
    /// - Throws: when `train` is empty or the configuration is out of range.
    /// - Complexity: O(iterations × ratings × factors).
    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        let mu = try BaselineModel.globalMean(train)
        mean = mu
        let f = configuration.factors
        var generator = SeededGenerator(seed: configuration.seed)
        let deviation = Double(configuration.initialDeviation)
        var p = (0..<(train.users * f)).map { _ in Float(generator.normal(sd: deviation)) }
        var q = (0..<(train.items * f)).map { _ in Float(generator.normal(sd: deviation)) }
        var bu = [Float](repeating: 0, count: train.users)
        var bi = [Float](repeating: 0, count: train.items)
        // Each rating once, as (user, position in the row storage).
        var order = [Int32](repeating: 0, count: train.count)
        var owners = [Int32](repeating: 0, count: train.count)
        for u in 0..<train.users { for k in train.row(u) { owners[k] = Int32(u) } }
        for k in order.indices { order[k] = Int32(k) }
        var eta = configuration.learningRate
        let lambda = configuration.regularization, lambdaB = configuration.biasRegularization
        p.withUnsafeMutableBufferPointer { pp in
            q.withUnsafeMutableBufferPointer { qq in
                for _ in 0..<configuration.iterations {
                    // Fisher-Yates with the seeded generator.
                    for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, Int(generator.next() % UInt64(k + 1))) }
                    for k in order {
                        let u = Int(owners[Int(k)]), i = Int(train.rowItems[Int(k)])
                        let pu = UnsafeMutableBufferPointer(rebasing: pp[(u * f)..<(u * f + f)])
                        let qi = UnsafeMutableBufferPointer(rebasing: qq[(i * f)..<(i * f + f)])
                        // e_ui = r_ui − (μ + b_u + b_i + q_iᵀ p_u)
                        let e = train.rowValues[Int(k)] - (mu + bu[u] + bi[i] + VectorKernels.dot(UnsafeBufferPointer(pu), UnsafeBufferPointer(qi)))
                        bu[u] += eta * (e - lambdaB * bu[u])
                        bi[i] += eta * (e - lambdaB * bi[i])
                        VectorKernels.sgdStep(error: e, learningRate: eta, regularization: lambda, pu, qi)
                    }
                    eta *= configuration.decay
                }
            }
        }
        userBiases = bu
        itemBiases = bi
        userFactors = p
        itemFactors = q
    }

    public func predict(user u: Int, item i: Int) -> RatingPrediction {
        let knownUser = u >= 0 && u < knownUsers, knownItem = i >= 0 && i < knownItems
        var value = mean + (knownUser ? userBiases[u] : 0) + (knownItem ? itemBiases[i] : 0)
        if knownUser && knownItem {
            let f = configuration.factors
            value += userFactors.withUnsafeBufferPointer { p in
                itemFactors.withUnsafeBufferPointer { q in
                    VectorKernels.dot(UnsafeBufferPointer(rebasing: p[(u * f)..<(u * f + f)]), UnsafeBufferPointer(rebasing: q[(i * f)..<(i * f + f)]))
                }
            }
        }
        return RatingPrediction(value, basis: .of(knownUser: knownUser, knownItem: knownItem))
    }
}
