import RealModule

/// The mixture sequential probability ratio test (mSPRT; Johari, Pekelis and Walsh, "Always
/// Valid Inference", 2017) on the difference `θ = p₂ − p₁` of two proportions, which stays valid
/// however often it is looked at: an experiment can be checked every day and stopped at the
/// first look that crosses, and the chance of a false "significant" is still at most `alpha`.
///
/// At a look with estimate `θ̂` of variance `V = p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂` and a normal mixing
/// distribution `θ ~ N(0, τ²)` over the alternatives, the mixture likelihood ratio is
/// `Λ = √(V/(V+τ²)) · exp(τ² θ̂² / (2V(V+τ²)))`; the always-valid p-value is the running minimum
/// over the looks of `min(1, 1/Λ)`, and the always-valid interval the intersection over the
/// looks of `θ̂ ± √(V(V+τ²)/τ² · (2 log(1/α) + log((V+τ²)/V)))`. `τ` is the size of effect the
/// test is tuned to find fastest (an absolute difference of rates).
public struct SequentialTest: Sendable, Hashable, Codable {
    public var tau: Double
    public var alpha: Double

    public init(tau: Double = 0.05, alpha: Double = 0.05) {
        self.tau = tau
        self.alpha = alpha
    }

    /// One look at cumulative counts.
    public struct Look: Sendable, Hashable, Codable {
        public var difference: Double
        public var lambda: Double
        /// `min(1, 1/Λ)` at this look alone.
        public var pValue: Double
        public var lower: Double
        public var upper: Double
    }

    /// The test after every look so far.
    public struct Verdict: Sendable, Hashable, Codable {
        public var looks: Int
        /// The latest look's difference.
        public var difference: Double
        /// The always-valid p-value and interval (running minimum and intersection).
        public var pValue: Double
        public var lower: Double
        public var upper: Double
        /// `treatment better`, `control better` or `keep running`.
        public var decision: String
        /// The first look (from 1) at which the p-value fell below `alpha`, if it did.
        public var crossedAt: Int?

        private enum CodingKeys: String, CodingKey { case looks, difference, pValue, lower, upper, decision, crossedAt }

        /// An unbounded interval (no look with subjects in both arms) is written with null bounds.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(looks, forKey: .looks)
            try c.encode(difference, forKey: .difference)
            try c.encode(pValue, forKey: .pValue)
            if lower.isFinite { try c.encode(lower, forKey: .lower) } else { try c.encodeNil(forKey: .lower) }
            if upper.isFinite { try c.encode(upper, forKey: .upper) } else { try c.encodeNil(forKey: .upper) }
            try c.encode(decision, forKey: .decision)
            try c.encodeIfPresent(crossedAt, forKey: .crossedAt)
        }

        public init(looks: Int, difference: Double, pValue: Double, lower: Double, upper: Double, decision: String, crossedAt: Int?) {
            (self.looks, self.difference, self.pValue, self.lower, self.upper, self.decision, self.crossedAt) = (looks, difference, pValue, lower, upper, decision, crossedAt)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                looks: try c.decode(Int.self, forKey: .looks), difference: try c.decode(Double.self, forKey: .difference), pValue: try c.decode(Double.self, forKey: .pValue),
                lower: try c.decodeIfPresent(Double.self, forKey: .lower) ?? -.infinity, upper: try c.decodeIfPresent(Double.self, forKey: .upper) ?? .infinity,
                decision: try c.decode(String.self, forKey: .decision), crossedAt: try c.decodeIfPresent(Int.self, forKey: .crossedAt))
        }
    }

    /// The look at `control` and `treatment` (successes out of trials, cumulative).
    public func look(control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int)) -> Look {
        let n1 = Double(control.trials), n2 = Double(treatment.trials)
        guard n1 > 0, n2 > 0 else { return Look(difference: 0, lambda: 1, pValue: 1, lower: -.infinity, upper: .infinity) }
        let p1 = Double(control.successes) / n1, p2 = Double(treatment.successes) / n2
        let d = p2 - p1
        // A variance floor (half a success either side) keeps a look with all-or-nothing rates finite.
        let v = max(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2, 0.25 / (n1 * n1) + 0.25 / (n2 * n2))
        let tau2 = tau * tau
        let lambda = (v / (v + tau2)).squareRoot() * Double.exp(tau2 * d * d / (2 * v * (v + tau2)))
        let half = (v * (v + tau2) / tau2 * (2 * Double.log(1 / alpha) + Double.log((v + tau2) / v))).squareRoot()
        return Look(difference: d, lambda: lambda, pValue: min(1, 1 / lambda), lower: d - half, upper: d + half)
    }

    /// The verdict over `looks` (cumulative counts at each look, in time order).
    public func verdict(_ looks: [(control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int))]) -> Verdict {
        var p = 1.0, lower = -Double.infinity, upper = Double.infinity, difference = 0.0
        var crossed: Int?
        for (k, l) in looks.enumerated() {
            let look = look(control: l.control, treatment: l.treatment)
            p = min(p, look.pValue)
            lower = max(lower, look.lower)
            upper = min(upper, look.upper)
            difference = look.difference
            if crossed == nil, p < alpha { crossed = k + 1 }
        }
        let decision = p < alpha ? (lower > 0 ? "treatment better" : upper < 0 ? "control better" : difference >= 0 ? "treatment better" : "control better") : "keep running"
        return Verdict(looks: looks.count, difference: difference, pValue: p, lower: lower, upper: upper, decision: decision, crossedAt: crossed)
    }
}
