import RealModule

/// Exponential smoothing in innovations state-space form, ETS(error, trend, season) of Hyndman,
/// Koehler, Ord & Snyder (*Forecasting with Exponential Smoothing*, 2008), the model class of
/// R's `forecast::ets` and statsforecast's `AutoETS`.
///
/// A model is fitted by maximum likelihood (Nelder–Mead over the smoothing parameters and the
/// initial states), selected by AICc (`ETS.auto`), and forecasts with prediction intervals:
/// analytic for the additive-error class and the multiplicative-error models without
/// multiplicative season (HKOS chapter 6, classes 1 and 2), by simulation otherwise.
public struct ETSModel: Sendable, Hashable, CustomStringConvertible {
    public enum Error: String, Sendable, Hashable, CaseIterable { case additive = "A", multiplicative = "M" }
    public enum Trend: String, Sendable, Hashable, CaseIterable { case none = "N", additive = "A", damped = "Ad" }
    public enum Season: String, Sendable, Hashable, CaseIterable { case none = "N", additive = "A", multiplicative = "M" }

    public var error: Error
    public var trend: Trend
    public var season: Season

    public init(error: Error, trend: Trend, season: Season) {
        self.error = error
        self.trend = trend
        self.season = season
    }

    /// "ETS(M,Ad,M)".
    public var description: String { "ETS(\(error.rawValue),\(trend.rawValue),\(season.rawValue))" }

    /// Parses "AAdM", "A,Ad,M" or "ETS(A,Ad,M)".
    public init?(_ text: String) {
        var s = Substring(text.uppercased())
        if s.hasPrefix("ETS(") && s.hasSuffix(")") { s = s.dropFirst(4).dropLast() }
        let compact = s.replacing(",", with: "")
        guard let e = compact.first.flatMap({ Error(rawValue: String($0)) }) else { return nil }
        var rest = compact.dropFirst()
        let trend: Trend
        if rest.hasPrefix("AD") { trend = .damped; rest = rest.dropFirst(2) } else if let t = rest.first.flatMap({ Trend(rawValue: String($0)) }) {
            trend = t; rest = rest.dropFirst()
        } else { return nil }
        guard rest.count == 1, let season = Season(rawValue: String(rest)) else { return nil }
        self.init(error: e, trend: trend, season: season)
    }

    var hasTrend: Bool { trend != .none }
    var hasSeason: Bool { season != .none }
}

/// A fitted ETS model: parameters, the final state and the information criteria.
public struct ETSFit: Sendable {
    public var model: ETSModel
    /// The season length the model uses (1 without season).
    public var period: Int
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    public var phi: Double
    /// −2 log L up to a constant: n·log Σe² (+ 2 Σ log|ŷ| for multiplicative error).
    public var likelihoodTerm: Double
    public var aic: Double
    public var aicc: Double
    public var bic: Double
    /// Variance of the innovations (relative errors when the error is multiplicative).
    public var sigma2: Double
    /// The innovations' variance over the recent past (the last max(36, 10m) errors), which the
    /// intervals use: over decades a series' volatility changes, and the next steps look like
    /// the recent ones.
    public var recentSigma2: Double
    /// Parameters counted for the criteria (smoothing, initial states, and σ²).
    public var parameterCount: Int
    /// Observations fitted.
    public var observations: Int
    /// In-sample one-step errors (relative when multiplicative).
    public var residuals: [Double]

    var level: Double
    var slope: Double
    /// Seasonal states by the step that uses them: step t (0-based from the first fitted
    /// observation) reads `seasons[t % period]`.
    var seasons: [Double]
    /// The state before the first observation, in the same layout.
    var initialLevel: Double
    var initialSlope: Double
    var initialSeasons: [Double]

    /// Point forecasts for steps 1…h: ŷ_{n+h} = (ℓ_n + φ_h b_n) ⊕ s_{n+h−m(k+1)}, φ_h = φ + … + φ^h.
    public func forecast(horizon h: Int) -> [Double] {
        var out = [Double](repeating: 0, count: h)
        out.withUnsafeMutableBufferPointer { project(level: level, slope: slope, seasons: seasons, step: observations, into: $0) }
        return out
    }

    /// Writes the forecasts of steps t, t+1, … from the state (ℓ, b, ring) held before step t
    /// into `out`: (ℓ + φ_{i+1} b) ⊕ ring[(t + i) mod m], the ring holding each phase's latest
    /// index.
    private func project(level: Double, slope: Double, seasons: [Double], step t: Int, into out: UnsafeMutableBufferPointer<Double>) {
        var phiSum = 0.0, phiPower = 1.0
        for i in 0..<out.count {
            phiPower *= model.trend == .damped ? phi : 1
            phiSum += phiPower
            var f = model.hasTrend ? level + phiSum * slope : level
            if model.hasSeason {
                let s = seasons[(t + i) % period]
                f = model.season == .additive ? f + s : f * s
            }
            out[i] = f
        }
    }

    /// The point forecasts the fitted model made of its own data: for each origin o (0 < o,
    /// o + h ≤ n), the forecasts of y[o], …, y[o+h−1] from the state after y[0..<o], as
    /// ``forecast(horizon:)`` makes them from the final state. Row-major origins × h. The
    /// parameters are the ones fitted to all of `y`, so these errors are in-sample.
    public func rollingForecasts(_ y: [Double], origins: [Int], horizon h: Int) -> [Double] {
        precondition(origins.allSatisfy { $0 > 0 && $0 + h <= y.count }, "origins must leave h points after them")
        var out = [Double](repeating: 0, count: origins.count * h)
        var ring = initialSeasons
        var step = ETSRecursion.Step(level: initialLevel, slope: initialSlope, season: 0)
        var next = 0
        let sorted = origins.enumerated().sorted { $0.element < $1.element }
        for t in 0..<y.count {
            while next < sorted.count && sorted[next].element == t {
                let row = sorted[next].offset * h
                out.withUnsafeMutableBufferPointer { buffer in
                    project(level: step.level, slope: step.slope, seasons: ring, step: t, into: UnsafeMutableBufferPointer(rebasing: buffer[row..<(row + h)]))
                }
                next += 1
            }
            if next == sorted.count { break }
            let k = t % period
            step.season = model.hasSeason ? ring[k] : 0
            _ = ETSRecursion.predict(&step, model: model, phi: phi)
            ETSRecursion.update(&step, y: y[t], model: model, alpha: alpha, beta: beta, gamma: gamma)
            if model.hasSeason { ring[k] = step.season }
        }
        return out
    }

    /// The smoothing coefficients c_j of HKOS (6.3): c_j = α + β·(j, or φ_j damped) + γ·𝟙[j mod m = 0].
    func coefficient(_ j: Int) -> Double {
        var c = alpha
        switch model.trend {
        case .none: break
        case .additive: c += beta * Double(j)
        case .damped:
            var sum = 0.0, power = 1.0
            for _ in 0..<j { power *= phi; sum += power }
            c += beta * sum
        }
        if model.hasSeason && j % period == 0 { c += gamma }
        return c
    }

    /// Forecast variances for steps 1…h where a closed form exists (nil for multiplicative
    /// season, whose distribution is not Gaussian-like enough for one).
    ///
    /// Class 1 (additive error): v_h = σ² [1 + Σ_{j=1}^{h−1} c_j²].
    /// Class 2 (multiplicative error, no multiplicative season): θ_1 = μ_1²,
    /// θ_h = μ_h² + σ² Σ_{j=1}^{h−1} c_j² θ_{h−j}, v_h = (1 + σ²) θ_h − μ_h².
    public func analyticVariances(horizon h: Int, mean: [Double]) -> [Double]? {
        guard model.season != .multiplicative else { return nil }
        let c2 = (0..<h).map { $0 == 0 ? 0 : coefficient($0) * coefficient($0) }
        switch model.error {
        case .additive:
            var out = [Double](repeating: 0, count: h)
            var sum = 0.0
            for k in 0..<h {
                if k > 0 { sum += c2[k] }
                out[k] = recentSigma2 * (1 + sum)
            }
            return out
        case .multiplicative:
            var theta = [Double](repeating: 0, count: h)
            var out = [Double](repeating: 0, count: h)
            for k in 0..<h {
                var sum = 0.0
                if k > 0 { for j in 1...k { sum += c2[j] * theta[k - j] } }
                theta[k] = mean[k] * mean[k] + recentSigma2 * sum
                out[k] = (1 + recentSigma2) * theta[k] - mean[k] * mean[k]
            }
            return out
        }
    }

    /// Sample paths of the fitted model for steps 1…h (normal innovations with variance σ²),
    /// `paths × h` row-major.
    public func simulate(horizon h: Int, paths: Int, seed: UInt64) -> [Double] {
        var out = [Double](repeating: 0, count: paths * h)
        walk(horizon: h, paths: paths, seed: seed) { p, i, y in out[p * h + i] = y }
        return out
    }

    /// The sums over steps 1…h of `paths` sample paths (the same paths as ``simulate``), in
    /// O(paths) memory.
    public func simulatedTotals(horizon h: Int, paths: Int, seed: UInt64) -> [Double] {
        var out = [Double](repeating: 0, count: paths)
        walk(horizon: h, paths: paths, seed: seed) { p, _, y in out[p] += y }
        return out
    }

    /// Runs the model forward `paths` times from its final state, handing each simulated value
    /// to `body(path, step, y)`.
    private func walk(horizon h: Int, paths: Int, seed: UInt64, _ body: (Int, Int, Double) -> Void) {
        var random = SeededGenerator(seed: seed)
        let sigma = recentSigma2.squareRoot()
        var ring = seasons
        for p in 0..<paths {
            var l = level, b = slope
            for j in 0..<period where model.hasSeason { ring[j] = seasons[j] }
            for i in 0..<h {
                let e = sigma * random.normal()
                let k = (observations + i) % period
                var step = ETSRecursion.Step(level: l, slope: b, season: model.hasSeason ? ring[k] : 0)
                let predicted = ETSRecursion.predict(&step, model: model, phi: phi)
                let y = model.error == .additive ? predicted + e : predicted * (1 + e)
                ETSRecursion.update(&step, y: y, model: model, alpha: alpha, beta: beta, gamma: gamma)
                l = step.level; b = step.slope
                if model.hasSeason { ring[k] = step.season }
                body(p, i, y)
            }
        }
    }
}

/// The state recursions shared by fitting, forecasting and simulation.
enum ETSRecursion {
    struct Step {
        var level: Double
        var slope: Double
        var season: Double
        /// q_t: the level part of the one-step forecast.
        var q = 0.0
        /// φ b_{t−1}.
        var dampedSlope = 0.0
    }

    static let tiny = 1e-10
    static let huge = 1e10

    /// One-step forecast ŷ_t from the state at t−1: q = ℓ + φb (or ℓ), ŷ = q, q + s or q·s.
    @inline(__always)
    static func predict(_ step: inout Step, model: ETSModel, phi: Double) -> Double {
        switch model.trend {
        case .none: step.dampedSlope = 0; step.q = step.level
        case .additive: step.dampedSlope = step.slope; step.q = step.level + step.slope
        case .damped: step.dampedSlope = phi * step.slope; step.q = step.level + step.dampedSlope
        }
        switch model.season {
        case .none: return step.q
        case .additive: return step.q + step.season
        case .multiplicative: return step.q * step.season
        }
    }

    /// The error-correction updates (HKOS table 2.3, written in y so that they hold for both
    /// error types):
    ///   p = y, y − s or y / s;            ℓ_t = q + α (p − q)
    ///   b_t = φb + (β/α)((ℓ_t − ℓ_{t−1}) − φb)
    ///   u = y − q or y / q;               s_t = s_{t−m} + γ (u − s_{t−m})
    @inline(__always)
    static func update(_ step: inout Step, y: Double, model: ETSModel, alpha: Double, beta: Double, gamma: Double) {
        let old = step.level
        let p: Double
        switch model.season {
        case .none: p = y
        case .additive: p = y - step.season
        case .multiplicative: p = abs(step.season) < tiny ? huge : y / step.season
        }
        step.level = step.q + alpha * (p - step.q)
        if model.hasTrend {
            step.slope = step.dampedSlope + (beta / alpha) * ((step.level - old) - step.dampedSlope)
        }
        switch model.season {
        case .none: break
        case .additive: step.season += gamma * ((y - step.q) - step.season)
        case .multiplicative:
            let u = abs(step.q) < tiny ? huge : y / step.q
            step.season += gamma * (u - step.season)
        }
    }

    /// The plain loop the specialised kernels of ``run`` are tested against: runs the
    /// recursion over `y` from the initial state, leaving the final state in `level`, `slope`
    /// and `ring`; returns Σe² and Σ log|ŷ|, and writes the errors when `errors` is given.
    static func reference(
        _ y: UnsafeBufferPointer<Double>, model: ETSModel, period m: Int,
        alpha: Double, beta: Double, gamma: Double, phi: Double,
        level: inout Double, slope: inout Double, ring: UnsafeMutableBufferPointer<Double>,
        errors: UnsafeMutableBufferPointer<Double>?
    ) -> (sse: Double, logSum: Double) {
        var sse = 0.0, logSum = 0.0
        var step = Step(level: level, slope: slope, season: 0)
        var k = 0
        for t in 0..<y.count {
            if model.hasSeason { step.season = ring[k] }
            let f = predict(&step, model: model, phi: phi)
            let e: Double
            if model.error == .additive {
                e = y[t] - f
            } else {
                e = (y[t] - f) / (abs(f) < tiny ? f + tiny : f)
            }
            errors?[t] = e
            sse += e * e
            let a = abs(f)
            logSum += a > 0 ? Double.log(a) : Double.log(a + 1e-8)
            update(&step, y: y[t], model: model, alpha: alpha, beta: beta, gamma: gamma)
            if model.hasSeason {
                ring[k] = step.season
                k += 1
                if k == m { k = 0 }
            }
        }
        level = step.level
        slope = step.slope
        return (sse, logSum)
    }
}

extension SeededGenerator {
    /// A standard normal draw (Box–Muller on two uniforms).
    mutating func normal() -> Double {
        var u = unit()
        while u <= 0 { u = unit() }
        let v = unit()
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
    }
}
