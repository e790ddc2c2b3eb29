import RealModule

/// The Theta method (Assimakopoulos & Nikolopoulos 2000) in the state-space form of Fiorucci,
/// Pellegrini, Louzada, Petropoulos & Koehler (2016, "Models for optimising the theta method
/// and their relationship to state space models"): the standard model (θ = 2), the optimised
/// one (θ fitted), and their dynamic variants whose trend line is re-estimated at every step.
/// `Theta.auto` fits all four on the seasonally adjusted series and keeps the one with the
/// smallest in-sample squared error.
public struct ThetaFit: Sendable {
    public enum Variant: String, Sendable, Hashable, CaseIterable {
        case standard = "STM", optimised = "OTM", dynamicStandard = "DSTM", dynamicOptimised = "DOTM"
        var isDynamic: Bool { self == .dynamicStandard || self == .dynamicOptimised }
        var fitsTheta: Bool { self == .optimised || self == .dynamicOptimised }
    }

    public var variant: Variant
    public var alpha: Double
    public var theta: Double
    public var initialLevel: Double
    /// Σ_{t>3} e_t² / mean|y|, the criterion that chooses the variant.
    public var criterion: Double
    /// Standard deviation of the one-step errors after the first three.
    public var sigma: Double
    public var observations: Int
    /// Multiplicative or additive seasonal indices for the next m steps (nil: not adjusted).
    public var seasonalForecast: [Double]?
    public var seasonalKind: SeasonalDecomposition.Kind?

    var state: ThetaState

    public var description: String {
        let seasonal = seasonalKind.map { ", \($0.rawValue) seasonal adjustment" } ?? ""
        return "Theta(\(variant.rawValue)\(seasonal))"
    }

    /// Point forecasts: each step feeds its own forecast μ back as the observation.
    public func forecast(horizon h: Int) -> [Double] {
        var s = state
        var out = [Double](repeating: 0, count: h)
        for j in 0..<h {
            let mu = s.next(at: observations + j, alpha: alpha, theta: theta)
            s.absorb(mu, at: observations + j, alpha: alpha, dynamic: variant.isDynamic)
            out[j] = reseasonalise(mu, step: j)
        }
        return out
    }

    func reseasonalise(_ value: Double, step j: Int) -> Double {
        guard let seasons = seasonalForecast, let kind = seasonalKind else { return value }
        let s = seasons[j % seasons.count]
        return kind == .additive ? value + s : value * s
    }

    /// Forecast variances on the seasonally adjusted scale. Theta with θ = 2 is simple
    /// exponential smoothing with drift (Hyndman & Billah 2003), whose h-step variance is
    /// σ² (1 + α² (h − 1)); the same form is used for the other variants.
    public func variances(horizon h: Int) -> [Double] {
        (0..<h).map { sigma * sigma * (1 + alpha * alpha * Double($0)) }
    }
}

/// (ℓ_t, ȳ_t, A_t, B_t): the smoothed level, the running mean, and the trend line's intercept
/// and slope.
struct ThetaState: Sendable {
    var level: Double
    var mean: Double
    var a: Double
    var b: Double

    /// μ_{t+1} = ℓ_t + (1 − 1/θ)(A_t (1 − α)^t + B_t (1 − (1 − α)^{t+1}) / α), with t the
    /// 0-based index of the observation about to arrive.
    @inline(__always)
    func next(at t: Int, alpha: Double, theta: Double) -> Double {
        let decay = Double.pow(1 - alpha, Double(t))
        return level + (1 - 1 / theta) * (a * decay + b * (1 - decay * (1 - alpha)) / alpha)
    }

    /// ℓ_{t+1} = α y + (1 − α) ℓ_t, ȳ_{t+1} = (t ȳ_t + y)/(t + 1); dynamic models also
    /// re-estimate the line: B_{t+1} = ((t − 1) B_t + 6 (y − ȳ_t)/(t + 1))/(t + 2),
    /// A_{t+1} = ȳ_{t+1} − B_{t+1} (t + 2)/2.
    @inline(__always)
    mutating func absorb(_ y: Double, at t: Int, alpha: Double, dynamic: Bool) {
        let oldMean = mean
        let td = Double(t)
        level = alpha * y + (1 - alpha) * level
        mean = (td * mean + y) / (td + 1)
        if dynamic {
            b = ((td - 1) * b + 6 * (y - oldMean) / (td + 1)) / (td + 2)
            a = mean - b * (td + 2) / 2
        }
    }
}

public enum Theta {
    /// Fits every variant (or `variants`) to `y` and keeps the best by in-sample squared error;
    /// the series is first seasonally adjusted by classical decomposition (multiplicative, or
    /// additive for non-positive data or a near-zero index) when the 90% autocorrelation test
    /// finds seasonality at lag m.
    public static func auto(_ y: [Double], period m: Int, variants: [ThetaFit.Variant] = ThetaFit.Variant.allCases) -> ThetaFit? {
        guard y.count > 3 else { return nil }
        var series = y
        var seasonalForecast: [Double]?
        var kind: SeasonalDecomposition.Kind?
        if SeasonalDecomposition.isSeasonal(y, period: m) {
            var chosen: SeasonalDecomposition.Kind = y.allSatisfy({ $0 > 0 }) ? .multiplicative : .additive
            var component = SeasonalDecomposition.seasonal(y, period: m, kind: chosen)
            if chosen == .multiplicative, let c = component, c.contains(where: { $0 < 0.01 }) {
                chosen = .additive
                component = SeasonalDecomposition.seasonal(y, period: m, kind: .additive)
            }
            if let c = component {
                series = zip(y, c).map { chosen == .additive ? $0 - $1 : $0 / $1 }
                seasonalForecast = Array(c[(c.count - m)...])
                kind = chosen
            }
        }
        var best: ThetaFit?
        for variant in variants {
            guard var fit = fit(series, variant: variant) else { continue }
            fit.seasonalForecast = seasonalForecast
            fit.seasonalKind = kind
            if best == nil || fit.criterion < best!.criterion { best = fit }
        }
        return best
    }

    /// Fits one variant: ℓ₀ (start y₁/2), α in [0.1, 0.99] (start 0.5) and, for the optimised
    /// variants, θ ≥ 1 (start 2), by Nelder–Mead on Σ_{t>3} e_t² / mean|y|.
    public static func fit(_ y: [Double], variant: ThetaFit.Variant) -> ThetaFit? {
        guard y.count > 3 else { return nil }
        var start = [y[0] / 2, 0.5]
        var lower = [-1e10, 0.1], upper = [1e10, 0.99]
        if variant.fitsTheta { start.append(2); lower.append(1); upper.append(1e10) }
        let meanAbs = max(y.reduce(0) { $0 + abs($1) } / Double(y.count), 1e-10)
        let result = y.withUnsafeBufferPointer { yb in
            NelderMead().minimise(from: start, lower: lower, upper: upper) { x in
                let theta = variant.fitsTheta ? x[2] : 2
                return run(yb, variant: variant, initialLevel: x[0], alpha: x[1], theta: theta, errors: nil).sse / meanAbs
            }
        }
        guard result.value.isFinite else { return nil }
        let theta = variant.fitsTheta ? result.point[2] : 2
        return filter(y, variant: variant, initialLevel: result.point[0], alpha: result.point[1], theta: theta)
    }

    /// Runs one variant with given ℓ₀, α and θ over `y` (no optimisation, no seasonal adjustment).
    public static func filter(_ y: [Double], variant: ThetaFit.Variant, initialLevel l0: Double, alpha: Double, theta: Double) -> ThetaFit? {
        guard y.count > 3 else { return nil }
        let meanAbs = max(y.reduce(0) { $0 + abs($1) } / Double(y.count), 1e-10)
        var errors = [Double](repeating: 0, count: y.count)
        let (sse, state) = y.withUnsafeBufferPointer { yb in
            errors.withUnsafeMutableBufferPointer { eb in
                run(yb, variant: variant, initialLevel: l0, alpha: alpha, theta: theta, errors: eb)
            }
        }
        let tail = errors.dropFirst(3)
        let mean = tail.reduce(0, +) / Double(max(tail.count, 1))
        let variance = tail.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(tail.count - 1, 1))
        return ThetaFit(
            variant: variant, alpha: alpha, theta: theta, initialLevel: l0, criterion: sse / meanAbs,
            sigma: variance.squareRoot(), observations: y.count, seasonalForecast: nil, seasonalKind: nil, state: state)
    }

    /// The recursion over y; returns Σ_{t≥3} e_t² (0-based t) and the final state.
    ///
    /// Start: static variants take the least-squares line over the whole sample,
    /// B₀ = 6(2 Σ t y_t / n − (n + 1) ȳ)/(n² − 1), A₀ = ȳ − (n + 1) B₀ / 2, and
    /// μ₀ = ℓ₀ + (1 − 1/θ)(A₀ + B₀); dynamic ones start at A₀ = y₁, B₀ = 0, μ₀ = y₁.
    static func run(
        _ y: UnsafeBufferPointer<Double>, variant: ThetaFit.Variant, initialLevel l0: Double, alpha: Double, theta: Double,
        errors: UnsafeMutableBufferPointer<Double>?
    ) -> (sse: Double, state: ThetaState) {
        let n = y.count
        var a: Double, b: Double, mu: Double
        if variant.isDynamic {
            a = y[0]; b = 0; mu = y[0]
        } else {
            var sum = 0.0, weighted = 0.0
            for t in 0..<n { sum += y[t]; weighted += Double(t + 1) * y[t] }
            let nd = Double(n)
            let mean = sum / nd
            b = 6 * (2 * weighted / nd - (nd + 1) * mean) / (nd * nd - 1)
            a = mean - (nd + 1) * b / 2
            mu = l0 + (1 - 1 / theta) * (a + b)
        }
        var state = ThetaState(level: alpha * y[0] + (1 - alpha) * l0, mean: y[0], a: a, b: b)
        errors?[0] = y[0] - mu
        var sse = 0.0
        for t in 1..<n {
            let f = state.next(at: t, alpha: alpha, theta: theta)
            let e = y[t] - f
            errors?[t] = e
            if t >= 3 { sse += e * e }
            state.absorb(y[t], at: t, alpha: alpha, dynamic: variant.isDynamic)
        }
        return (sse.isFinite ? sse : .infinity, state)
    }
}
