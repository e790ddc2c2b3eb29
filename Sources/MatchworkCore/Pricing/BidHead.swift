import RealModule

/// Predicts the bid range of a (job, cleaner) pair from its features: the lowest, optimal and
/// highest sensible amounts, in that order by construction.
///
/// An MLP gives three outputs `(u, v, w)` per pair, and
///
///     min = u,   optimal = min + softplus(v),   max = optimal + softplus(w)
///
/// so `min ≤ optimal ≤ max` holds for any parameters. Trained on the pinball loss at the
/// quantiles `(q_min, 0.5, q_max)` of the bids that were placed (0.1 and 0.9 by default).
public struct BidHead: Sendable, Hashable, Codable {
    /// The quantiles the min, optimal and max amounts are trained for.
    public struct Quantiles: Sendable, Hashable, Codable {
        public var low: Float = 0.1
        public var middle: Float = 0.5
        public var high: Float = 0.9
        var all: [Float] { [low, middle, high] }
    }

    public var mlp: MLP
    public var quantiles = Quantiles()

    /// `hidden` are the MLP's hidden widths.
    public init(inputs: Int, hidden: [Int] = [32], seed: UInt64 = 42) {
        var generator = SeededGenerator(seed: seed)
        mlp = MLP(sizes: [inputs] + hidden + [3], generator: &generator)
    }

    /// The three amounts per row of `input` (`batch × inputs`), as `batch × 3` (min, optimal,
    /// max), and the raw MLP outputs in `workspace` for ``backward(_:input:amounts:targets:workspace:into:)``.
    public func forward(_ input: UnsafeBufferPointer<Float>, batch: Int, workspace: inout MLPWorkspace, raw: inout [Float]) -> [Float] {
        if raw.count != batch * 3 { raw = [Float](repeating: 0, count: batch * 3) }
        raw.withUnsafeMutableBufferPointer { mlp.forward(input, batch: batch, workspace: &workspace, into: $0) }
        var amounts = [Float](repeating: 0, count: batch * 3)
        for r in 0..<batch {
            let u = raw[3 * r], v = raw[3 * r + 1], w = raw[3 * r + 2]
            amounts[3 * r] = u
            amounts[3 * r + 1] = u + Loss.softplus(v)
            amounts[3 * r + 2] = amounts[3 * r + 1] + Loss.softplus(w)
        }
        return amounts
    }

    /// The mean over rows of the three pinball losses against `targets` (one observed amount
    /// per row), and its gradients added into `gradients` (laid out as the MLP's parameters).
    ///
    ///     ∂/∂u = g_min + g_opt + g_max,   ∂/∂v = (g_opt + g_max) σ(v),   ∂/∂w = g_max σ(w)
    @discardableResult
    public func backward(
        _ input: UnsafeBufferPointer<Float>, raw: [Float], amounts: [Float], targets: [Float], workspace: inout MLPWorkspace, into gradients: inout [Float]
    ) -> Double {
        let batch = targets.count
        let q = quantiles.all
        var loss = 0.0
        var d = [Float](repeating: 0, count: batch * 3)
        for r in 0..<batch {
            var g = [Float](repeating: 0, count: 3)
            for k in 0..<3 {
                let e = targets[r] - amounts[3 * r + k]
                loss += Double(max(q[k] * e, (q[k] - 1) * e)) / Double(batch)
                g[k] = (e > 0 ? -q[k] : e < 0 ? 1 - q[k] : 0) / Float(batch)
            }
            d[3 * r] = g[0] + g[1] + g[2]
            d[3 * r + 1] = (g[1] + g[2]) * Float(Loss.sigmoid(Double(raw[3 * r + 1])))
            d[3 * r + 2] = g[2] * Float(Loss.sigmoid(Double(raw[3 * r + 2])))
        }
        d.withUnsafeBufferPointer { db in
            gradients.withUnsafeMutableBufferPointer { mlp.backward(db, workspace: &workspace, input: input, parameterGradients: $0, inputGradient: nil) }
        }
        return loss
    }
}

/// A suggested bid for a (job, worker) pair: the lowest, optimal and highest sensible amounts.
public struct BidSuggestion: Sendable, Hashable, Codable {
    public var minimum: Double
    public var optimal: Double
    public var maximum: Double

    public init(minimum: Double, optimal: Double, maximum: Double) {
        self.minimum = minimum
        self.optimal = optimal
        self.maximum = maximum
    }

    public func contains(_ amount: Double) -> Bool { amount >= minimum && amount <= maximum }
}

/// The bid head with what it needs to read a pair: it takes the encoder's scaled continuous
/// features except the bid's own (``PairFeatureEncoder/bidFeatures``), and learns amounts on a
/// standard scale (`amount = mean + scale × output`).
public struct BidModel: Sendable, Hashable {
    public var head: BidHead
    public var amountMean: Float
    public var amountScale: Float
    /// The split-conformal widening of [min, max], in currency (negative narrows it): chosen on
    /// held-out jobs so that the range holds the nominal share of their bids
    /// (``BidTraining/conformalMargin(_:continuous:width:amounts:rows:)``).
    public var margin: Float

    public init(head: BidHead, amountMean: Float, amountScale: Float, margin: Float = 0) {
        self.head = head
        self.amountMean = amountMean
        self.amountScale = amountScale
        self.margin = margin
    }

    /// The head's input width for an encoder with `continuous` features.
    public static func inputs(continuous: Int) -> Int { continuous - PairFeatureEncoder.bidFeatures.count }

    /// The head's inputs from scaled continuous rows (`batch × continuous`): the bid's own
    /// features left out.
    static func inputs(from continuous: [Float], batch: Int) -> [Float] {
        guard batch > 0 else { return [] }
        let width = continuous.count / batch
        let bid = PairFeatureEncoder.bidFeatures
        var out: [Float] = []
        out.reserveCapacity(batch * (width - bid.count))
        for r in 0..<batch {
            for j in 0..<width where !bid.contains(j) { out.append(continuous[r * width + j]) }
        }
        return out
    }

    /// The suggestions for scaled continuous rows (`batch × continuous`), in currency.
    public func suggest(continuous: [Float], batch: Int) -> [BidSuggestion] {
        guard batch > 0 else { return [] }
        let input = Self.inputs(from: continuous, batch: batch)
        var workspace = MLPWorkspace()
        var raw: [Float] = []
        let amounts = input.withUnsafeBufferPointer { head.forward($0, batch: batch, workspace: &workspace, raw: &raw) }
        return (0..<batch).map { r in
            let v = (0..<3).map { Double(amountMean + amountScale * amounts[3 * r + $0]) }
            let m = Double(margin)
            return BidSuggestion(minimum: min(v[0] - m, v[1]), optimal: v[1], maximum: max(v[2] + m, v[1]))
        }
    }
}
