import RealModule

/// A log-linear trend for demand counts: quasi-Poisson regression of the series on time and
/// yearly Fourier terms, fitted by iteratively reweighted least squares (McCullagh & Nelder,
/// *Generalized Linear Models*, 1989, ch. 6).
///
/// log μ_t = a + b·u_t + Σ_{k=1}^{K} (c_k sin(2πkt/m) + d_k cos(2πkt/m)), u_t = (t − (n−1)/2)/m,
/// with Var(y_t) = φ μ_t. K is 1 from two seasons of data (2 from four), 0 without a season.
/// Demand series are counts (or level-weighted counts) with a steady growth rate: the model
/// fits the rate from the whole history instead of the last few points, which on the
/// learning marketplace's occupation series cuts the error of the 12-month growth from 22 to
/// 9 percentage points (docs/trends.md).
public struct CountTrendFit: Sendable {
    public var coefficients: [Double]
    /// Cov(β̂) = φ (XᵀWX)⁻¹, row-major p × p.
    public var covariance: [Double]
    /// φ = max(1, Pearson χ² / (n − p)): the spread beyond Poisson.
    public var dispersion: Double
    public var observations: Int
    public var period: Int
    public var harmonics: Int

    public var description: String {
        harmonics == 0
            ? "count trend (log-linear, quasi-Poisson)"
            : "count trend (log-linear, quasi-Poisson, \(harmonics) seasonal harmonic\(harmonics == 1 ? "" : "s"))"
    }

    /// The design row of step t (0 is the first observation).
    func row(_ t: Int) -> [Double] {
        var x = [1.0, (Double(t) - Double(observations - 1) / 2) / Double(max(period, 12))]
        for k in stride(from: 1, through: harmonics, by: 1) {
            let angle = 2 * Double.pi * Double(k * t) / Double(period)
            x += [Double.sin(angle), Double.cos(angle)]
        }
        return x
    }

    /// μ̂ for the steps after the history.
    public func forecast(horizon h: Int) -> [Double] {
        (0..<h).map { Double.exp(Self.dot(row(observations + $0), coefficients)) }
    }

    /// Forecasts, intervals and the total. Each step's variance is the new count's, φ μ_h, plus
    /// the fitted mean's by the delta method, μ_h² x_hᵀ Cov x_h; the total's is φ Σ μ_h + gᵀ Cov g
    /// with g = Σ μ_h x_h. Bounds are normal, kept ≥ 0.
    func seriesForecast(_ settings: ForecastSettings) -> SeriesForecast {
        let h = settings.horizon, p = coefficients.count
        let rows = (0..<h).map { row(observations + $0) }
        let mean = rows.map { Double.exp(Self.dot($0, coefficients)) }
        func quadratic(_ v: [Double]) -> Double {
            var sum = 0.0
            for i in 0..<p { for j in 0..<p { sum += v[i] * covariance[i * p + j] * v[j] } }
            return sum
        }
        let variances = (0..<h).map { dispersion * mean[$0] + mean[$0] * mean[$0] * quadratic(rows[$0]) }
        let intervals = Quantiles.normal(mean: mean, variances: variances, levels: settings.levels).map { interval in
            SeriesForecast.Interval(level: interval.level, lower: interval.lower.map { Swift.max(0, $0) }, upper: interval.upper)
        }
        var g = [Double](repeating: 0, count: p)
        for (i, x) in rows.enumerated() { for j in 0..<p { g[j] += mean[i] * x[j] } }
        let sum = mean.reduce(0, +)
        let sd = (dispersion * sum + quadratic(g)).squareRoot()
        let total = SeriesForecast.Total(
            mean: sum,
            intervals: settings.levels.map { level in
                let z = Quantiles.z(level)
                return SeriesForecast.Total.Interval(level: level, lower: Swift.max(0, sum - z * sd), upper: sum + z * sd)
            })
        return SeriesForecast(model: description, reason: nil, mean: mean, intervals: intervals, total: total)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}

public enum CountTrend {
    /// Points fitted at least (the forecaster fits the last max(4m, window)).
    public static let window = 24

    /// Fits the model to `y` (values ≥ 0, not all 0); nil when there are too few points for its
    /// parameters (n < p + 3) or the values do not qualify.
    public static func fit(_ y: [Double], period: Int) -> CountTrendFit? {
        let n = y.count
        guard y.allSatisfy({ $0 >= 0 && $0.isFinite }), y.contains(where: { $0 > 0 }) else { return nil }
        let harmonics = period > 1 ? (n >= 4 * period ? 2 : n >= 2 * period ? 1 : 0) : 0
        var fit = CountTrendFit(coefficients: [], covariance: [], dispersion: 1, observations: n, period: max(period, 1), harmonics: min(harmonics, period / 2))
        let rows = (0..<n).map { fit.row($0) }
        let p = rows[0].count
        guard n >= p + 3 else { return nil }
        var beta = [Double](repeating: 0, count: p)
        beta[0] = Double.log(y.reduce(0, +) / Double(n))
        var information = [Double](repeating: 0, count: p * p)
        // IRLS: η = Xβ, μ = e^η, z = η + (y − μ)/μ, W = μ; β ← (XᵀWX)⁻¹ XᵀWz.
        for _ in 0..<50 {
            information = [Double](repeating: 0, count: p * p)
            var score = [Double](repeating: 0, count: p)
            for t in 0..<n {
                let eta = Swift.min(CountTrendFit.dot(rows[t], beta), 700)
                let mu = Double.exp(eta)
                let z = eta + (y[t] - mu) / mu
                for i in 0..<p {
                    score[i] += rows[t][i] * mu * z
                    for j in 0..<p { information[i * p + j] += rows[t][i] * mu * rows[t][j] }
                }
            }
            guard let inverse = invert(information, p) else { return nil }
            var next = [Double](repeating: 0, count: p)
            for i in 0..<p { for j in 0..<p { next[i] += inverse[i * p + j] * score[j] } }
            let change = zip(next, beta).reduce(0.0) { Swift.max($0, abs($1.0 - $1.1)) }
            beta = next
            if !beta.allSatisfy(\.isFinite) { return nil }
            if change < 1e-10 { break }
        }
        var pearson = 0.0
        for t in 0..<n {
            let mu = Double.exp(Swift.min(CountTrendFit.dot(rows[t], beta), 700))
            pearson += (y[t] - mu) * (y[t] - mu) / mu
        }
        fit.coefficients = beta
        fit.dispersion = Swift.max(1, pearson / Double(n - p))
        // The information at the final β, for the covariance.
        information = [Double](repeating: 0, count: p * p)
        for t in 0..<n {
            let mu = Double.exp(Swift.min(CountTrendFit.dot(rows[t], beta), 700))
            for i in 0..<p { for j in 0..<p { information[i * p + j] += rows[t][i] * mu * rows[t][j] } }
        }
        guard let inverse = invert(information, p) else { return nil }
        fit.covariance = inverse.map { $0 * fit.dispersion }
        return fit
    }

    /// The inverse of a small symmetric positive definite matrix by Gauss–Jordan elimination
    /// with partial pivoting; nil when it is singular.
    static func invert(_ matrix: [Double], _ p: Int) -> [Double]? {
        var a = matrix, inverse = [Double](repeating: 0, count: p * p)
        for i in 0..<p { inverse[i * p + i] = 1 }
        for c in 0..<p {
            var pivot = c
            for r in c..<p where abs(a[r * p + c]) > abs(a[pivot * p + c]) { pivot = r }
            guard abs(a[pivot * p + c]) > 1e-12 * Swift.max(1, abs(matrix[c * p + c])) else { return nil }
            if pivot != c {
                for k in 0..<p {
                    a.swapAt(c * p + k, pivot * p + k)
                    inverse.swapAt(c * p + k, pivot * p + k)
                }
            }
            let d = a[c * p + c]
            for k in 0..<p {
                a[c * p + k] /= d
                inverse[c * p + k] /= d
            }
            for r in 0..<p where r != c {
                let f = a[r * p + c]
                if f == 0 { continue }
                for k in 0..<p {
                    a[r * p + k] -= f * a[c * p + k]
                    inverse[r * p + k] -= f * inverse[c * p + k]
                }
            }
        }
        return inverse
    }
}
