import RealModule

/// Adam (Kingma and Ba 2015) over one contiguous parameter buffer, with optional decoupled
/// weight decay (AdamW, Loshchilov and Hutter 2019):
///
///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
///     θ ← θ − lr (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε) − lr λ θ
///
/// Embedding tables update only the rows a batch touched (``update(rows:width:of:gradients:learningRate:)``),
/// with the bias correction of the global step, as lazy Adam does.
public struct AdamOptimizer: Sendable, Hashable, Codable {
    public struct Configuration: Sendable, Hashable, Codable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        /// Decoupled weight decay λ.
        public var weightDecay: Float = 0

        public init() {}

        public func validate() throws(MatchworkError) {
            guard beta1 >= 0 && beta1 < 1 else { throw MatchworkError(.invalidConfiguration, "beta1 \(beta1) must be in [0, 1).", field: "beta1") }
            guard beta2 >= 0 && beta2 < 1 else { throw MatchworkError(.invalidConfiguration, "beta2 \(beta2) must be in [0, 1).", field: "beta2") }
            try checkPositive(epsilon, "epsilon")
            try checkNonNegative(weightDecay, "weight_decay")
        }
    }

    public let configuration: Configuration
    /// First and second moments, one per parameter.
    private var m: [Float], v: [Float]
    /// Steps taken (t).
    public private(set) var step = 0

    public init(parameters count: Int, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        m = [Float](repeating: 0, count: count)
        v = m
    }

    /// Counts one optimisation step; call once per batch, before that batch's updates.
    public mutating func advance() { step += 1 }

    /// The bias corrections `1 − β₁ᵗ` and `1 − β₂ᵗ` of the current step.
    private var corrections: (Float, Float) {
        (1 - Float.pow(configuration.beta1, step), 1 - Float.pow(configuration.beta2, step))
    }

    /// Updates every parameter from its gradient.
    public mutating func update(_ parameters: inout [Float], gradients: [Float], learningRate: Float) {
        precondition(parameters.count == m.count && gradients.count == m.count, "Adam: buffers differ from the optimiser's size")
        let (c1, c2) = corrections
        let b1 = configuration.beta1, b2 = configuration.beta2, eps = configuration.epsilon, decay = configuration.weightDecay
        for i in parameters.indices {
            let g = gradients[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            parameters[i] -= learningRate * ((m[i] / c1) / ((v[i] / c2).squareRoot() + eps) + decay * parameters[i])
        }
    }

    /// Updates only the `rows` (of `width` values each) of a table stored row-major in
    /// `parameters`; `gradients` holds one row per entry of `rows`, in that order.
    public mutating func update(rows: [Int32], width: Int, of parameters: inout [Float], gradients: [Float], learningRate: Float) {
        precondition(parameters.count == m.count && gradients.count == rows.count * width, "Adam: buffers differ from the optimiser's size")
        let (c1, c2) = corrections
        let b1 = configuration.beta1, b2 = configuration.beta2, eps = configuration.epsilon, decay = configuration.weightDecay
        for (k, row) in rows.enumerated() {
            let base = Int(row) * width
            for d in 0..<width {
                let i = base + d, g = gradients[k * width + d]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                parameters[i] -= learningRate * ((m[i] / c1) / ((v[i] / c2).squareRoot() + eps) + decay * parameters[i])
            }
        }
    }
}
