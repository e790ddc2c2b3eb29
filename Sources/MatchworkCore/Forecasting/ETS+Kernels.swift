import RealModule

// The fitting loop runs the recursion over the whole series for every trial point of the
// simplex (about 10⁶ steps per model on a long monthly series), so it is compiled once per model
// shape: each of the 18 (error, trend, season) combinations gets its own loop with the model's
// branches folded away, and the additive-error loops skip the Σ log|ŷ| term the likelihood
// only needs for multiplicative error. `ETSRecursion.reference` is the plain loop they are
// tested against.

protocol ETSErrorShape { static var multiplicative: Bool { get } }
protocol ETSTrendShape { static var trend: ETSModel.Trend { get } }
protocol ETSSeasonShape { static var season: ETSModel.Season { get } }

enum AdditiveErrorShape: ETSErrorShape { static var multiplicative: Bool { false } }
enum MultiplicativeErrorShape: ETSErrorShape { static var multiplicative: Bool { true } }
enum NoTrendShape: ETSTrendShape { static var trend: ETSModel.Trend { .none } }
enum AdditiveTrendShape: ETSTrendShape { static var trend: ETSModel.Trend { .additive } }
enum DampedTrendShape: ETSTrendShape { static var trend: ETSModel.Trend { .damped } }
enum NoSeasonShape: ETSSeasonShape { static var season: ETSModel.Season { .none } }
enum AdditiveSeasonShape: ETSSeasonShape { static var season: ETSModel.Season { .additive } }
enum MultiplicativeSeasonShape: ETSSeasonShape { static var season: ETSModel.Season { .multiplicative } }

extension ETSRecursion {
    /// What one pass over the series reads.
    struct Pass {
        var y: UnsafeBufferPointer<Double>
        var period: Int
        var alpha, beta, gamma, phi: Double
        var ring: UnsafeMutableBufferPointer<Double>
        var errors: UnsafeMutableBufferPointer<Double>?
    }

    /// Runs the recursion over `y` from the initial state, leaving the final state in `level`,
    /// `slope` and `ring`; returns Σe² and Σ log|ŷ| (0 for additive error, which does not use
    /// it), and writes the errors when `errors` is given. The same arithmetic as ``reference``
    /// in the same order, except that Σ log|ŷ| is summed as one logarithm of a product per 512
    /// steps.
    static func run(
        _ y: UnsafeBufferPointer<Double>, model: ETSModel, period m: Int,
        alpha: Double, beta: Double, gamma: Double, phi: Double,
        level: inout Double, slope: inout Double, ring: UnsafeMutableBufferPointer<Double>,
        errors: UnsafeMutableBufferPointer<Double>?
    ) -> (sse: Double, logSum: Double) {
        let pass = Pass(y: y, period: m, alpha: alpha, beta: beta, gamma: gamma, phi: phi, ring: ring, errors: errors)
        switch model.error {
        case .additive: return byTrend(AdditiveErrorShape.self, model, pass, &level, &slope)
        case .multiplicative: return byTrend(MultiplicativeErrorShape.self, model, pass, &level, &slope)
        }
    }

    private static func byTrend<E: ETSErrorShape>(
        _: E.Type, _ model: ETSModel, _ pass: Pass, _ level: inout Double, _ slope: inout Double
    ) -> (sse: Double, logSum: Double) {
        switch model.trend {
        case .none: return bySeason(E.self, NoTrendShape.self, model, pass, &level, &slope)
        case .additive: return bySeason(E.self, AdditiveTrendShape.self, model, pass, &level, &slope)
        case .damped: return bySeason(E.self, DampedTrendShape.self, model, pass, &level, &slope)
        }
    }

    private static func bySeason<E: ETSErrorShape, T: ETSTrendShape>(
        _: E.Type, _: T.Type, _ model: ETSModel, _ pass: Pass, _ level: inout Double, _ slope: inout Double
    ) -> (sse: Double, logSum: Double) {
        switch model.season {
        case .none: return kernel(E.self, T.self, NoSeasonShape.self, pass, &level, &slope)
        case .additive: return kernel(E.self, T.self, AdditiveSeasonShape.self, pass, &level, &slope)
        case .multiplicative: return kernel(E.self, T.self, MultiplicativeSeasonShape.self, pass, &level, &slope)
        }
    }

    /// One model shape's loop: the formulas of ``predict`` and ``update``, with the shape's
    /// branches resolved at compile time.
    @inline(__always)
    private static func kernel<E: ETSErrorShape, T: ETSTrendShape, S: ETSSeasonShape>(
        _: E.Type, _: T.Type, _: S.Type, _ pass: Pass, _ level: inout Double, _ slope: inout Double
    ) -> (sse: Double, logSum: Double) {
        let y = pass.y, ring = pass.ring, m = pass.period
        let alpha = pass.alpha, gamma = pass.gamma, phi = pass.phi
        let betaOverAlpha = pass.beta / pass.alpha
        var l = level, b = slope
        var sse = 0.0
        // Σ log|ŷ| = Σ log(significand) + ln 2 · Σ exponent: significands in [1, 2) multiply
        // 512 at a time without overflow; zeros and non-finite values take the plain logarithm.
        var logSum = 0.0, significands = 1.0, exponents = 0, pending = 0
        var k = 0
        for t in 0..<y.count {
            let yt = y[t]
            let s = S.season == .none ? 0 : ring[k]
            // q = ℓ + φb (φ = 1 undamped), ŷ = q, q + s or q·s.
            let dampedSlope: Double
            switch T.trend {
            case .none: dampedSlope = 0
            case .additive: dampedSlope = b
            case .damped: dampedSlope = phi * b
            }
            let q = T.trend == .none ? l : l + dampedSlope
            let f: Double
            switch S.season {
            case .none: f = q
            case .additive: f = q + s
            case .multiplicative: f = q * s
            }
            let e = E.multiplicative ? (yt - f) / (abs(f) < tiny ? f + tiny : f) : yt - f
            pass.errors?[t] = e
            sse += e * e
            if E.multiplicative {
                let a = abs(f)
                if a.isNormal {
                    significands *= a.significand
                    exponents += Int(a.exponent)
                    pending += 1
                    if pending == 512 {
                        logSum += Double.log(significands) + Double(exponents) * Double.log(2.0)
                        significands = 1; exponents = 0; pending = 0
                    }
                } else {
                    logSum += a > 0 ? Double.log(a) : Double.log(a + 1e-8)
                }
            }
            // ℓ_t = q + α(p − q), p = y, y − s or y / s.
            let p: Double
            switch S.season {
            case .none: p = yt
            case .additive: p = yt - s
            case .multiplicative: p = abs(s) < tiny ? huge : yt / s
            }
            let newLevel = q + alpha * (p - q)
            // b_t = φb + (β/α)((ℓ_t − ℓ_{t−1}) − φb).
            if T.trend != .none { b = dampedSlope + betaOverAlpha * ((newLevel - l) - dampedSlope) }
            l = newLevel
            // s_t = s_{t−m} + γ(u − s_{t−m}), u = y − q or y / q.
            switch S.season {
            case .none: break
            case .additive:
                ring[k] = s + gamma * ((yt - q) - s)
            case .multiplicative:
                let u = abs(q) < tiny ? huge : yt / q
                ring[k] = s + gamma * (u - s)
            }
            if S.season != .none {
                k += 1
                if k == m { k = 0 }
            }
        }
        if pending > 0 { logSum += Double.log(significands) + Double(exponents) * Double.log(2.0) }
        level = l
        slope = b
        return (sse, E.multiplicative ? logSum : 0)
    }
}
