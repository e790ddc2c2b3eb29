import RealModule

/// A comparison of a treatment arm with the control: the difference (treatment − control), its
/// interval, the test's statistic and two-sided p-value, and the relative lift.
public struct Comparison: Sendable, Hashable, Codable {
    public var control: Double
    public var treatment: Double
    public var difference: Double
    public var lower: Double
    public var upper: Double
    public var statistic: Double
    public var pValue: Double
    /// The confidence of the interval (0.95 by default).
    public var confidence: Double

    /// `difference / control`, `nil` when the control is 0.
    public var lift: Double? { control != 0 ? difference / control : nil }
    /// Whether the interval excludes 0.
    public var significant: Bool { lower > 0 || upper < 0 }

    public init(control: Double, treatment: Double, difference: Double, lower: Double, upper: Double, statistic: Double, pValue: Double, confidence: Double) {
        self.control = control
        self.treatment = treatment
        self.difference = difference
        self.lower = lower
        self.upper = upper
        self.statistic = statistic
        self.pValue = pValue
        self.confidence = confidence
    }

    private enum CodingKeys: String, CodingKey { case control, treatment, difference, lower, upper, statistic, pValue, confidence, lift, significant }

    /// Values that are not finite (no interval without two values in an arm) are written as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in [(CodingKeys.control, control), (.treatment, treatment), (.difference, difference), (.lower, lower), (.upper, upper), (.statistic, statistic), (.pValue, pValue), (.confidence, confidence)] {
            if value.isFinite { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
        if let lift, lift.isFinite { try c.encode(lift, forKey: .lift) } else { try c.encodeNil(forKey: .lift) }
        try c.encode(significant, forKey: .significant)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        self.init(
            control: try read(.control), treatment: try read(.treatment), difference: try read(.difference), lower: try read(.lower), upper: try read(.upper),
            statistic: try read(.statistic), pValue: try read(.pValue), confidence: try read(.confidence))
    }
}

/// Count, mean and variance of a metric in one arm, accumulated one value at a time (Welford).
public struct RunningMoments: Sendable, Hashable, Codable {
    public private(set) var count = 0
    public private(set) var mean = 0.0
    private var squares = 0.0

    public init() {}

    public init(_ values: some Sequence<Double>) {
        for v in values { add(v) }
    }

    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        squares += delta * (x - mean)
    }

    /// The sample variance (divisor `count − 1`), 0 with fewer than two values.
    public var variance: Double { count > 1 ? squares / Double(count - 1) : 0 }
}

/// The statistics of an experiment's report, each checked against scipy or statsmodels on fixed
/// inputs (`Benchmarks/peers/experiment_stats_golden.py`).
public enum ExperimentStatistics {
    /// Two proportions (successes out of trials): the difference with its Wald interval
    /// (unpooled standard error `√(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂)`, as statsmodels'
    /// `confint_proportions_2indep(method="wald")`), and the two-proportion z-test with the pooled
    /// standard error `√(p(1−p)(1/n₁ + 1/n₂))` (`proportions_ztest`).
    public static func proportions(control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int), confidence: Double = 0.95) -> Comparison {
        let (x1, n1) = (Double(control.successes), Double(control.trials))
        let (x2, n2) = (Double(treatment.successes), Double(treatment.trials))
        // An arm without trials has no rate (NaN, written as null).
        let p1 = n1 > 0 ? x1 / n1 : .nan, p2 = n2 > 0 ? x2 / n2 : .nan
        let d = p2 - p1
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let se = n1 > 0 && n2 > 0 ? (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2).squareRoot() : .nan
        let pooled = n1 + n2 > 0 ? (x1 + x2) / (n1 + n2) : 0
        let sePooled = n1 > 0 && n2 > 0 ? (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot() : .nan
        let statistic = sePooled > 0 ? d / sePooled : 0
        let p = sePooled > 0 ? min(1, 2 * Normal.survival(abs(statistic))) : 1
        return Comparison(control: p1, treatment: p2, difference: d, lower: d - z * se, upper: d + z * se, statistic: statistic, pValue: p, confidence: confidence)
    }

    /// Welch's t-test on two means with unequal variances: `t = (m₂ − m₁) / √(s₁²/n₁ + s₂²/n₂)`,
    /// the Welch–Satterthwaite degrees of freedom, and the t interval of the difference (as
    /// scipy's `ttest_ind(equal_var=False)` and its `confidence_interval`).
    public static func welch(control a: RunningMoments, treatment b: RunningMoments, confidence: Double = 0.95) -> (comparison: Comparison, df: Double) {
        let d = b.mean - a.mean
        guard a.count >= 2, b.count >= 2 else {
            return (Comparison(control: a.mean, treatment: b.mean, difference: d, lower: .nan, upper: .nan, statistic: .nan, pValue: 1, confidence: confidence), .nan)
        }
        let va = a.variance / Double(a.count), vb = b.variance / Double(b.count)
        let se = (va + vb).squareRoot()
        guard se > 0 else {
            return (Comparison(control: a.mean, treatment: b.mean, difference: d, lower: d, upper: d, statistic: d == 0 ? 0 : .infinity, pValue: d == 0 ? 1 : 0, confidence: confidence), .infinity)
        }
        let df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let t = d / se
        let q = StudentT.quantile(1 - (1 - confidence) / 2, df: df)
        return (Comparison(control: a.mean, treatment: b.mean, difference: d, lower: d - q * se, upper: d + q * se, statistic: t, pValue: StudentT.twoSided(t, df: df), confidence: confidence), df)
    }

    /// CUPED (Deng, Xu, Kohavi and Walker 2013): each subject's metric `y` less `θ (x − x̄)`,
    /// where `x` is the same subject's pre-period value, `θ = cov(y, x) / var(x)` over both arms
    /// and `x̄` their mean; then Welch's test on the adjusted values. With `x` correlated with `y`,
    /// the interval narrows by about `√(1 − ρ²)` while the difference stays unbiased.
    /// - Returns: `θ`, and the comparison of the adjusted means; `θ = 0` (no adjustment) when `x`
    ///   does not vary.
    public static func cuped(control: [(y: Double, x: Double)], treatment: [(y: Double, x: Double)], confidence: Double = 0.95) -> (theta: Double, comparison: Comparison) {
        let all = control + treatment
        let n = Double(all.count)
        let mx = all.reduce(0) { $0 + $1.x } / max(1, n), my = all.reduce(0) { $0 + $1.y } / max(1, n)
        var sxy = 0.0, sxx = 0.0
        for v in all {
            sxy += (v.x - mx) * (v.y - my)
            sxx += (v.x - mx) * (v.x - mx)
        }
        let theta = sxx > 0 ? sxy / sxx : 0
        let adjust = { (values: [(y: Double, x: Double)]) in RunningMoments(values.map { $0.y - theta * ($0.x - mx) }) }
        return (theta, welch(control: adjust(control), treatment: adjust(treatment), confidence: confidence).comparison)
    }

    /// The sample-ratio-mismatch check: Pearson's chi-square of the subjects counted per arm
    /// against the shares they were assigned (`scipy.stats.chisquare`), with `arms − 1` degrees
    /// of freedom. A p-value below 0.001 means the assignment or the logging is broken and the
    /// comparison is not to be trusted.
    public static func sampleRatio(counts: [Int], shares: [Double]) -> (statistic: Double, pValue: Double) {
        let total = Double(counts.reduce(0, +)), shareTotal = shares.reduce(0, +)
        guard counts.count == shares.count, counts.count >= 2, total > 0, shareTotal > 0 else { return (0, 1) }
        var statistic = 0.0
        for (c, s) in zip(counts, shares) {
            let expected = total * s / shareTotal
            guard expected > 0 else { continue }
            statistic += (Double(c) - expected) * (Double(c) - expected) / expected
        }
        return (statistic, ChiSquare.survival(statistic, df: Double(counts.count - 1)))
    }

    /// Subjects per arm for a two-sided test at `alpha` to detect a change of a proportion from
    /// `baseline` to `treatment` with probability `power`: the `n` solving
    /// `Φ(h √(n/2) − z) + Φ(−h √(n/2) − z) = power` with `z = Φ⁻¹(1 − α/2)` and Cohen's
    /// `h = 2 asin √p₂ − 2 asin √p₁` (statsmodels' `NormalIndPower` with `ratio=1`).
    /// `nil` when the two proportions are equal or out of (0, 1).
    public static func sampleSize(baseline: Double, treatment: Double, alpha: Double = 0.05, power: Double = 0.8) -> Double? {
        guard (0...1).contains(baseline), (0...1).contains(treatment), baseline != treatment, alpha > 0, alpha < 1, power > alpha, power < 1 else { return nil }
        let h = abs(2 * Double.asin(treatment.squareRoot()) - 2 * Double.asin(baseline.squareRoot()))
        let z = Normal.quantile(1 - alpha / 2)
        func reach(_ n: Double) -> Double { Normal.cdf(h * (n / 2).squareRoot() - z) + Normal.cdf(-h * (n / 2).squareRoot() - z) }
        var lo = 0.0, hi = 1.0
        while reach(hi) < power { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if reach(mid) < power { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
