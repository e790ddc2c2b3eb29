import RealModule

/// Fitting and automatic selection of ETS models.
public enum ETS {
    /// What the optimiser minimises: the likelihood (ETS proper) or the sum of squared one-step
    /// errors (classical Holt-Winters, as statsmodels fits it).
    public enum Criterion: Sendable { case likelihood, squaredError }

    /// The usual bounds: smoothing parameters in [1e-4, 0.9999] with β ≤ α and γ ≤ 1 − α,
    /// damping φ in [0.8, 0.98].
    static let smoothingBounds = (lower: 1e-4, upper: 0.9999)
    static let dampingBounds = (lower: 0.8, upper: 0.98)
    /// Where the optimiser starts: `standard` from the usual values (as forecast::ets); `grid`
    /// from the best of a grid of smoothing parameters with the heuristic initial states (as
    /// statsmodels' Holt-Winters does). Either way one simplex run follows: on the 148 BLS
    /// series, restarting the simplex after it converged lowered Holt-Winters' in-sample error
    /// and raised its forecast error (sMAPE 1.223 → 1.243 with four restarts), at 2.4× the time.
    public enum Search: Sendable { case standard, grid }

    /// Whether `model` may be fitted to `y` with season length `m`: multiplicative parts need
    /// positive data, a season needs 1 < m ≤ 24 and two full cycles.
    public static func admits(_ model: ETSModel, _ y: [Double], period m: Int) -> Bool {
        let positive = y.allSatisfy { $0 > 0 }
        if !positive && (model.error == .multiplicative || model.season == .multiplicative) { return false }
        if model.hasSeason && !(m > 1 && m <= 24 && y.count >= 2 * m) { return false }
        return true
    }

    /// Fits one model by maximum likelihood (or least squares); nil when it has as many
    /// parameters as observations or no finite fit exists.
    public static func fit(_ y: [Double], period: Int, model: ETSModel, criterion: Criterion = .likelihood, search: Search = .standard) -> ETSFit? {
        let m = model.hasSeason ? period : 1
        let n = y.count
        guard admits(model, y, period: period), n >= 3 else { return nil }
        guard let initial = initialStates(y, period: m, model: model) else { return nil }
        let smoothing = 1 + (model.hasTrend ? 1 : 0) + (model.hasSeason ? 1 : 0) + (model.trend == .damped ? 1 : 0)
        let nState = initial.count
        let parameters = smoothing + nState
        guard parameters < n - 1 else { return nil }

        // Starting values (HKOS §5.2, as forecast::ets): α = l + 0.2(u − l)/m, β = l + 0.1(α − l),
        // γ = l + 0.05(1 − α − l), φ = l_φ + 0.99(u_φ − l_φ).
        let (lo, hi) = smoothingBounds
        let alpha0 = lo + 0.2 * (hi - lo) / Double(m)
        var start = [alpha0]
        var lower = [lo], upper = [hi]
        if model.hasTrend { start.append(lo + 0.1 * (min(hi, alpha0) - lo)); lower.append(lo); upper.append(hi) }
        if model.hasSeason { start.append(lo + 0.05 * (min(hi, 1 - alpha0) - lo)); lower.append(lo); upper.append(hi) }
        if model.trend == .damped {
            start.append(dampingBounds.lower + 0.99 * (dampingBounds.upper - dampingBounds.lower))
            lower.append(dampingBounds.lower); upper.append(dampingBounds.upper)
        }
        start += initial
        lower += [Double](repeating: -.infinity, count: nState)
        upper += [Double](repeating: .infinity, count: nState)

        let objective = Objective(model: model, period: m, criterion: criterion, nState: nState, smoothing: smoothing)
        var ring = [Double](repeating: 0, count: max(m, 1))
        let result = y.withUnsafeBufferPointer { yb in
            ring.withUnsafeMutableBufferPointer { rb in
                if search == .grid {
                    start = objective.gridStart(start, y: yb, ring: rb)
                }
                return NelderMead().minimise(from: start, lower: lower, upper: upper) { x in
                    objective.value(x, y: yb, ring: rb)
                }
            }
        }
        guard result.value.isFinite else { return nil }
        return objective.finish(result.point, y: y, parameters: parameters)
    }

    /// Runs `model` with given parameters and initial states `[ℓ₀, b₀?, s₀ … s_{m−2}]` over `y`
    /// without optimising (s₀ the most recent seasonal state; the last follows from the
    /// normalisation); nil when the states are inadmissible.
    public static func filter(
        _ y: [Double], period: Int, model: ETSModel, alpha: Double, beta: Double = 0, gamma: Double = 0, phi: Double = 1,
        states: [Double]
    ) -> ETSFit? {
        let m = model.hasSeason ? period : 1
        let smoothing = 1 + (model.hasTrend ? 1 : 0) + (model.hasSeason ? 1 : 0) + (model.trend == .damped ? 1 : 0)
        let nState = 1 + (model.hasTrend ? 1 : 0) + (model.hasSeason ? m - 1 : 0)
        guard states.count == nState, !y.isEmpty else { return nil }
        var point = [alpha]
        if model.hasTrend { point.append(beta) }
        if model.hasSeason { point.append(gamma) }
        if model.trend == .damped { point.append(phi) }
        let objective = Objective(model: model, period: m, criterion: .likelihood, nState: nState, smoothing: smoothing)
        return objective.finish(point + states, y: y, parameters: smoothing + nState)
    }

    /// The model with the smallest AICc over every admissible combination (additive and
    /// multiplicative error; no, additive and damped trend; no, additive and multiplicative
    /// season), excluding additive error with multiplicative season (infinite forecast
    /// variance). `candidates` narrows the set.
    public static func auto(_ y: [Double], period: Int, candidates: [ETSModel]? = nil) -> ETSFit? {
        var best: ETSFit?
        for model in candidates ?? allModels where admits(model, y, period: period) {
            guard let fit = fit(y, period: period, model: model), fit.aicc.isFinite else { continue }
            if best == nil || fit.aicc < best!.aicc { best = fit }
        }
        return best
    }

    /// The 15 restricted combinations, in forecast::ets's search order.
    public static let allModels: [ETSModel] = ETSModel.Error.allCases.flatMap { e in
        ETSModel.Trend.allCases.flatMap { t in
            ETSModel.Season.allCases.compactMap { s in
                e == .additive && s == .multiplicative ? nil : ETSModel(error: e, trend: t, season: s)
            }
        }
    }

    /// Initial states by the standard heuristic (HKOS §2.6.1, as forecast::ets and statsforecast):
    /// seasonal indices from a classical decomposition (n ≥ 3m) or a regression on a line and one
    /// Fourier pair (shorter series); level and slope from a regression of the first
    /// max(10, 2m) seasonally adjusted values on time. Returns [ℓ₀, b₀?, s₀ … s_{m−2}]
    /// (s₀ the most recent; the last index follows from the normalisation).
    static func initialStates(_ y: [Double], period m: Int, model: ETSModel) -> [Double]? {
        let n = y.count
        var adjusted = y
        var seasonal: [Double] = []
        if model.hasSeason {
            guard n >= 4 else { return nil }
            let component: [Double]
            if n < 3 * m {
                // y ~ a + b t + c sin(2πt/m) + d cos(2πt/m), t = 1…n; the detrended values
                // y − a − bt (or y / (a + bt)) stand in for the seasonal component.
                var design = [Double](); design.reserveCapacity(n * 4)
                let hasSine = abs(2.0 / Double(m) - (2.0 / Double(m)).rounded()) > Double.ulpOfOne
                let columns = hasSine ? 4 : 3
                for t in 1...n {
                    let angle = 2 * Double.pi * Double(t) / Double(m)
                    design += [1, Double(t), Double.cos(angle)]
                    if hasSine { design.append(Double.sin(angle)) }
                }
                let beta = SmallLeastSquares.solve(design, rows: n, columns: columns, y)
                component = (0..<n).map { t in
                    let line = beta[0] + beta[1] * Double(t + 1)
                    return model.season == .additive ? y[t] - line : y[t] / line
                }
            } else {
                guard let c = SeasonalDecomposition.seasonal(y, period: m, kind: model.season == .additive ? .additive : .multiplicative) else { return nil }
                component = c
            }
            // s₀ = index of phase m−1, …, s_{m−2} = index of phase 1.
            seasonal = (1..<m).reversed().map { component[$0] }
            if model.season == .additive {
                for t in 0..<n { adjusted[t] = y[t] - component[t] }
            } else {
                seasonal = seasonal.map { max($0, 1e-2) }
                let total = seasonal.reduce(0, +)
                if total > Double(m) { seasonal = seasonal.map { $0 / (total + 1e-2 * Double(m - 1)) } }
                for t in 0..<n { adjusted[t] = y[t] / max(component[t], 1e-2) }
            }
        }
        let first = min(max(10, 2 * m), n)
        if !model.hasTrend {
            let level = adjusted[0..<first].reduce(0, +) / Double(first)
            return [level] + seasonal
        }
        var design = [Double](); design.reserveCapacity(first * 2)
        for t in 1...first { design += [1, Double(t)] }
        let line = SmallLeastSquares.solve(design, rows: first, columns: 2, Array(adjusted[0..<first]))
        var (level, slope) = (line[0], line[1])
        if abs(level + slope) < 1e-8 { level *= 1 + 1e-3; slope *= 1 - 1e-3 }
        return [level, slope] + seasonal
    }

    /// The objective over [α, β?, γ?, φ?, ℓ₀, b₀?, s₀…s_{m−2}].
    struct Objective {
        let model: ETSModel
        let period: Int
        let criterion: Criterion
        let nState: Int
        let smoothing: Int

        struct Parameters { var alpha, beta, gamma, phi: Double }

        func parameters(_ x: UnsafeBufferPointer<Double>) -> Parameters {
            var j = 0
            let alpha = x[j]; j += 1
            var beta = 0.0, gamma = 0.0, phi = 1.0
            if model.hasTrend { beta = x[j]; j += 1 }
            if model.hasSeason { gamma = x[j]; j += 1 }
            if model.trend == .damped { phi = x[j] }
            return Parameters(alpha: alpha, beta: beta, gamma: gamma, phi: phi)
        }

        /// Loads the seasonal ring from the free seasonal states: ring[0] = m·𝟙[M] − Σ free,
        /// ring[j] = s_{m−1−j}. False when a multiplicative index is negative.
        func loadSeasons(_ x: UnsafeBufferPointer<Double>, into ring: UnsafeMutableBufferPointer<Double>) -> Bool {
            guard model.hasSeason else { return true }
            let start = smoothing + 1 + (model.hasTrend ? 1 : 0)
            var sum = 0.0
            for k in 0..<(period - 1) {
                let s = x[start + k]
                sum += s
                ring[period - 1 - k] = s
            }
            ring[0] = (model.season == .multiplicative ? Double(period) : 0) - sum
            if model.season == .multiplicative {
                for j in 0..<period where ring[j] < 0 { return false }
            }
            return true
        }

        func value(_ x: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, ring: UnsafeMutableBufferPointer<Double>) -> Double {
            let p = parameters(x)
            // The usual region: β ≤ α, γ ≤ 1 − α (the box holds the rest).
            if model.hasTrend && p.beta > p.alpha { return .infinity }
            if model.hasSeason && p.gamma > 1 - p.alpha { return .infinity }
            guard loadSeasons(x, into: ring) else { return .infinity }
            var level = x[smoothing]
            var slope = model.hasTrend ? x[smoothing + 1] : 0
            let (sse, logSum) = ETSRecursion.run(
                y, model: model, period: period, alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi,
                level: &level, slope: &slope, ring: ring, errors: nil)
            let n = Double(y.count)
            switch criterion {
            case .squaredError:
                // n log Σe²: the same minimum as Σe², on a scale where the tolerance is relative.
                let v = n * Double.log(sse > 0 ? sse : 1e-300)
                return v.isFinite ? v : .infinity
            case .likelihood:
                // −2 log L + const = n log Σe² (+ 2 Σ log|ŷ_t| for multiplicative error).
                var lik = n * Double.log(sse > 0 ? sse : sse + 1e-8)
                if model.error == .multiplicative { lik += 2 * logSum }
                return lik.isFinite ? max(lik, -1e10) : .infinity
            }
        }

        /// The best start over α ∈ {0.02…0.98} (12 values), β = α·{0.01, 0.05, 0.2, 0.5, 0.9} and
        /// γ = (1 − α)·{0.01, 0.05, 0.2, 0.5, 0.9}, the states and φ kept at their starts.
        func gridStart(_ start: [Double], y: UnsafeBufferPointer<Double>, ring: UnsafeMutableBufferPointer<Double>) -> [Double] {
            var best = start
            var bestValue = start.withUnsafeBufferPointer { value($0, y: y, ring: ring) }
            let shares = [0.01, 0.05, 0.2, 0.5, 0.9]
            var point = start
            for a in 0..<12 {
                let alpha = 0.02 + 0.96 * Double(a) / 11
                for betaShare in model.hasTrend ? shares : [0] {
                    for gammaShare in model.hasSeason ? shares : [0] {
                        var j = 0
                        point[j] = alpha; j += 1
                        if model.hasTrend { point[j] = max(1e-4, alpha * betaShare); j += 1 }
                        if model.hasSeason { point[j] = max(1e-4, (1 - alpha) * gammaShare) }
                        let v = point.withUnsafeBufferPointer { value($0, y: y, ring: ring) }
                        if v < bestValue { bestValue = v; best = point }
                    }
                }
            }
            return best
        }

        func finish(_ point: [Double], y: [Double], parameters count: Int) -> ETSFit? {
            var ring = [Double](repeating: 0, count: max(period, 1))
            var errors = [Double](repeating: 0, count: y.count)
            var level = 0.0, slope = 0.0
            let p = point.withUnsafeBufferPointer { parameters($0) }
            let ok = point.withUnsafeBufferPointer { x in ring.withUnsafeMutableBufferPointer { loadSeasons(x, into: $0) } }
            guard ok else { return nil }
            level = point[smoothing]
            slope = model.hasTrend ? point[smoothing + 1] : 0
            let initial = (level: level, slope: slope, seasons: model.hasSeason ? ring : [0])
            let (sse, logSum) = y.withUnsafeBufferPointer { yb in
                ring.withUnsafeMutableBufferPointer { rb in
                    errors.withUnsafeMutableBufferPointer { eb in
                        ETSRecursion.run(yb, model: model, period: period, alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi,
                                         level: &level, slope: &slope, ring: rb, errors: eb)
                    }
                }
            }
            let n = Double(y.count)
            var lik = n * Double.log(sse > 0 ? sse : sse + 1e-8)
            if model.error == .multiplicative { lik += 2 * logSum }
            // AIC = −2 log L + 2k, AICc = AIC + 2k(k + 1)/(n − k − 1), BIC = −2 log L + k log n,
            // with k counting σ² too.
            let k = Double(count + 1)
            let aic = lik + 2 * k
            let aicc = n - k - 1 > 0 ? aic + 2 * k * (k + 1) / (n - k - 1) : .infinity
            let bic = lik + Double.log(n) * k
            let dof = max(n - k - 1, 1)
            let sigma2 = criterion == .squaredError ? sse / max(n - Double(count), 1) : sse / dof
            let window = min(y.count, max(36, 10 * period))
            let recentSigma2 = errors.suffix(window).reduce(0) { $0 + $1 * $1 } / Double(window)
            guard lik.isFinite, sigma2.isFinite, level.isFinite, slope.isFinite else { return nil }
            return ETSFit(
                model: model, period: period, alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi,
                likelihoodTerm: lik, aic: aic, aicc: aicc, bic: bic, sigma2: sigma2, recentSigma2: recentSigma2, parameterCount: count + 1,
                observations: y.count, residuals: errors, level: level, slope: slope,
                seasons: model.hasSeason ? ring : [0],
                initialLevel: initial.level, initialSlope: initial.slope, initialSeasons: initial.seasons)
        }
    }
}
