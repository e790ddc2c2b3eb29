/// A predicted rating, and what it rests on.
///
/// A user or item the model never saw in training is not an error: the prediction falls back to
/// the biases it has (``Basis``), so every row gets an answer and the caller can tell which
/// answers are personal.
public struct RatingPrediction: Sendable, Hashable {
    public enum Basis: String, Sendable, Hashable, CaseIterable, Codable {
        /// The model's full estimate for a known user and item.
        case model
        /// The item is unknown to training: the global mean plus the user's bias.
        case unknownItem = "unknown_item"
        /// The user is unknown to training: the global mean plus the item's bias.
        case unknownUser = "unknown_user"
        /// Neither is known: the global mean.
        case unknownUserAndItem = "unknown_user_and_item"

        /// A sentence for reports.
        public var explanation: String {
            switch self {
            case .model: "the model's estimate"
            case .unknownItem: "item not in training: global mean + the user's bias"
            case .unknownUser: "user not in training: global mean + the item's bias"
            case .unknownUserAndItem: "user and item not in training: the global mean"
            }
        }
    }

    public var value: Float
    public var basis: Basis

    public init(_ value: Float, basis: Basis) {
        self.value = value
        self.basis = basis
    }
}

/// A model that predicts explicit ratings.
public protocol RatingModel: Sendable {
    /// Users and items seen in training: indices `0..<knownUsers` and `0..<knownItems`. Any
    /// other index is unknown and gets a fallback.
    var knownUsers: Int { get }
    var knownItems: Int { get }
    /// The predicted rating of user `u` for item `i`, not clipped.
    func predict(user u: Int, item i: Int) -> RatingPrediction
}

/// The global mean and per-user and per-item biases, `b_ui = μ + b_u + b_i`, fitted by
/// alternating least squares on the regularised squared error, as Surprise's `BaselineOnly`
/// (Koren 2010, section 2.1):
///
///     b_i = Σ_{u∈R(i)} (r_ui − μ − b_u) / (λ_i + |R(i)|)
///     b_u = Σ_{i∈R(u)} (r_ui − μ − b_i) / (λ_u + |R(u)|)
public struct BaselineModel: RatingModel {
    public struct Configuration: Sendable, Hashable, Codable {
        /// Alternating sweeps.
        public var iterations = 10
        /// λ_u and λ_i.
        public var userRegularization: Float = 15
        public var itemRegularization: Float = 10

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(iterations, "iterations", 0...10_000)
            try checkNonNegative(userRegularization, "user_regularization")
            try checkNonNegative(itemRegularization, "item_regularization")
        }
    }

    public let mean: Float
    public let userBiases: [Float]
    public let itemBiases: [Float]
    public var knownUsers: Int { userBiases.count }
    public var knownItems: Int { itemBiases.count }

    /// Fits the biases on `train` (values are the ratings).
    ///
    /// - Throws: when `train` is empty or the configuration is out of range.
    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        mean = try Self.globalMean(train)
        var bu = [Float](repeating: 0, count: train.users)
        var bi = [Float](repeating: 0, count: train.items)
        for _ in 0..<configuration.iterations {
            for i in 0..<train.items {
                var sum: Float = 0
                for p in train.column(i) { sum += train.columnValues[p] - mean - bu[Int(train.columnUsers[p])] }
                bi[i] = sum / (configuration.itemRegularization + Float(train.column(i).count))
            }
            for u in 0..<train.users {
                var sum: Float = 0
                for p in train.row(u) { sum += train.rowValues[p] - mean - bi[Int(train.rowItems[p])] }
                bu[u] = sum / (configuration.userRegularization + Float(train.row(u).count))
            }
        }
        userBiases = bu
        itemBiases = bi
    }

    /// The mean of the stored ratings.
    static func globalMean(_ train: InteractionMatrix) throws(MatchworkError) -> Float {
        guard train.count > 0 else {
            throw MatchworkError(.invalidValue, "the train file has no ratings; a rating model needs at least one row.", field: "train")
        }
        var sum = 0.0
        for v in train.rowValues { sum += Double(v) }
        return Float(sum / Double(train.count))
    }

    /// `μ + b_u + b_i`, with whichever biases are known.
    public func baseline(user u: Int, item i: Int) -> RatingPrediction {
        let knownUser = u >= 0 && u < userBiases.count, knownItem = i >= 0 && i < itemBiases.count
        let value = mean + (knownUser ? userBiases[u] : 0) + (knownItem ? itemBiases[i] : 0)
        return RatingPrediction(value, basis: .of(knownUser: knownUser, knownItem: knownItem))
    }

    public func predict(user u: Int, item i: Int) -> RatingPrediction { baseline(user: u, item: i) }
}

extension RatingPrediction.Basis {
    static func of(knownUser: Bool, knownItem: Bool) -> Self {
        switch (knownUser, knownItem) {
        case (true, true): .model
        case (true, false): .unknownItem
        case (false, true): .unknownUser
        case (false, false): .unknownUserAndItem
        }
    }
}
