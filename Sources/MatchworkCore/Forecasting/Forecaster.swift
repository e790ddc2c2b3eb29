import RealModule

/// The forecasting methods the engine offers.
public enum ForecastMethod: String, Sendable, Hashable, CaseIterable {
    /// The product default: the combination (docs/forecasting.md has the measurements that
    /// chose it).
    case auto
    /// ETS chosen by AICc.
    case ets
    /// Theta chosen by in-sample error, seasonally adjusted when the series is seasonal.
    case theta
    /// The mean of auto-ETS and Holt-Winters.
    case combination
    /// Holt-Winters with multiplicative season, fitted by least squares (statsmodels' fit).
    case holtWinters = "holt-winters"
    /// Each step repeats the value one season earlier.
    case snaive
    /// A log-linear trend with seasonal harmonics for counts (quasi-Poisson regression): the
    /// default of demand trends.
    case countTrend = "count-trend"
}

/// A forecast: point values, intervals, and the model that produced them and why.
public struct SeriesForecast: Sendable {
    /// A central prediction interval at `level` percent.
    public struct Interval: Sendable, Hashable {
        public var level: Double
        public var lower: [Double]
        public var upper: [Double]
    }

    /// The model's name, for example "ETS(M,Ad,M)" or "combination of ETS(M,A,M), Theta(OTM…) and ETS(M,Ad,M)".
    public var model: String
    /// Why this model answered when it is not the one asked for (a short or intermittent series).
    public var reason: String?
    public var mean: [Double]
    public var intervals: [Interval]
    /// The sum over the horizon and its intervals (the steps' errors are correlated, so these
    /// are not sums of the steps' bounds).
    public var total: Total

    /// The sum of a forecast's steps, with central intervals.
    public struct Total: Sendable, Hashable {
        public struct Interval: Sendable, Hashable {
            public var level: Double
            public var lower: Double
            public var upper: Double
        }

        public var mean: Double
        public var intervals: [Interval]

        public func interval(at level: Double) -> Interval? { intervals.first { $0.level == level } }
    }

    public func interval(at level: Double) -> Interval? { intervals.first { $0.level == level } }
}

/// Settings of one forecast call; validated by the caller (horizon ≥ 1, levels in (0, 100)).
public struct ForecastSettings: Sendable, Hashable {
    public var horizon: Int
    /// Season length m (1 for none).
    public var period: Int
    public var method: ForecastMethod
    /// Interval levels in percent, for example [80, 95].
    public var levels: [Double]
    /// Paths drawn for intervals that have no closed form.
    public var simulationPaths = 2_000
    public var seed: UInt64 = 1

    public init(horizon: Int, period: Int, method: ForecastMethod = .auto, levels: [Double] = [80, 95]) {
        self.horizon = horizon
        self.period = max(1, period)
        self.method = method
        self.levels = levels
    }
}

public enum Forecaster {
    /// Average demand interval (observations per non-zero one) from which a series counts as
    /// intermittent (Syntetos & Boylan's 1.32 cut-off).
    public static let intermittentInterval = 1.32
    /// Fewer points than this and no model is fitted: the forecast is naive.
    public static let minimumPoints = 4

    /// Forecasts `y` (oldest first, evenly spaced, no gaps) `settings.horizon` steps ahead.
    public static func forecast(_ y: [Double], _ settings: ForecastSettings) -> SeriesForecast {
        let h = settings.horizon, m = settings.period
        precondition(!y.isEmpty && h >= 1, "a forecast needs a point and a horizon")
        if y.count < minimumPoints {
            return naive(y, settings, reason: "only \(y.count) point\(y.count == 1 ? "" : "s"); a model needs at least \(minimumPoints)")
        }
        if y.allSatisfy({ $0 == y[0] }) {
            return naive(y, settings, reason: "the series is constant")
        }
        let nonZero = y.count { $0 != 0 }
        if y.allSatisfy({ $0 >= 0 }) && nonZero < y.count && Double(y.count) / Double(max(nonZero, 1)) >= intermittentInterval {
            let share = Int((100 * Double(y.count - nonZero) / Double(y.count)).rounded())
            return intermittent(y, settings, reason: "intermittent: \(share)% of the points are zero")
        }
        switch settings.method {
        case .snaive:
            return m > 1 && y.count > m ? seasonalNaive(y, settings) : naive(y, settings, reason: m > 1 ? "fewer points than one season" : nil)
        case .ets:
            guard let fit = ETS.auto(y, period: m) else { return naive(y, settings, reason: "no ETS model fits \(y.count) points") }
            return etsForecast(fit, settings)
        case .theta:
            guard let fit = Theta.auto(y, period: m) else { return naive(y, settings, reason: "Theta needs more than 3 points") }
            return thetaForecast(fit, settings)
        case .holtWinters:
            return holtWinters(y, settings)
        case .combination, .auto:
            return combination(y, settings)
        case .countTrend:
            guard y.allSatisfy({ $0 >= 0 }) else {
                var answer = combination(y, settings)
                answer.reason = "the series has negative values, so it is not counts; the default method answered"
                return answer
            }
            // The rate of the recent past: at most the last four seasons (48 months) are fitted,
            // so that an old change of pace does not bend today's trend.
            let recent = Array(y.suffix(Swift.max(4 * m, CountTrend.window)))
            guard let fit = CountTrend.fit(recent, period: m) else { return naive(y, settings, reason: "no count trend fits \(y.count) points") }
            return fit.seriesForecast(settings)
        }
    }

    // MARK: Members

    static func etsForecast(_ fit: ETSFit, _ settings: ForecastSettings) -> SeriesForecast {
        let h = settings.horizon
        let mean = fit.forecast(horizon: h)
        let intervals: [SeriesForecast.Interval]
        let sums: [Double]
        // The total's distribution comes from sample paths for every class (their sums); the
        // steps' bounds are closed-form where the class has them, and only then are the paths
        // not kept (a long horizon would hold paths × h values).
        if let variances = fit.analyticVariances(horizon: h, mean: mean), variances.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            intervals = Quantiles.normal(mean: mean, variances: variances, levels: settings.levels)
            sums = fit.simulatedTotals(horizon: h, paths: settings.simulationPaths, seed: settings.seed).filter(\.isFinite).sorted()
        } else {
            let paths = fit.simulate(horizon: h, paths: settings.simulationPaths, seed: settings.seed)
            intervals = Quantiles.empirical(paths: paths, count: settings.simulationPaths, horizon: h, levels: settings.levels)
            sums = (0..<settings.simulationPaths).map { p in (0..<h).reduce(0.0) { $0 + paths[p * h + $1] } }.filter(\.isFinite).sorted()
        }
        let total = SeriesForecast.Total(
            mean: mean.reduce(0, +),
            intervals: settings.levels.map { level in
                let q = (1 - level / 100) / 2
                return SeriesForecast.Total.Interval(level: level, lower: Quantiles.quantile(sums, q), upper: Quantiles.quantile(sums, 1 - q))
            })
        return SeriesForecast(model: fit.model.description, reason: nil, mean: mean, intervals: intervals, total: total)
    }

    static func thetaForecast(_ fit: ThetaFit, _ settings: ForecastSettings) -> SeriesForecast {
        let h = settings.horizon
        var adjusted = fit
        adjusted.seasonalForecast = nil
        let base = adjusted.forecast(horizon: h)
        let raw = Quantiles.normal(mean: base, variances: fit.variances(horizon: h), levels: settings.levels)
        let intervals = raw.map { interval in
            SeriesForecast.Interval(
                level: interval.level,
                lower: interval.lower.enumerated().map { fit.reseasonalise($1, step: $0) },
                upper: interval.upper.enumerated().map { fit.reseasonalise($1, step: $0) })
        }
        let mean = base.enumerated().map { fit.reseasonalise($1, step: $0) }
        // Each step's error is scaled by its seasonal index when re-seasonalised (1 when the
        // adjustment is additive): w_i = s(1) − s(0).
        let weights = (0..<h).map { fit.reseasonalise(1, step: $0) - fit.reseasonalise(0, step: $0) }
        let total = Quantiles.linearTotal(
            mean: mean, sigma2: fit.sigma * fit.sigma, coefficient: { _ in fit.alpha }, weights: weights, levels: settings.levels)
        return SeriesForecast(model: fit.description, reason: nil, mean: mean, intervals: intervals, total: total)
    }

    static func holtWinters(_ y: [Double], _ settings: ForecastSettings) -> SeriesForecast {
        switch holtWintersFit(y, period: settings.period) {
        case .success(let member):
            var answer = etsForecast(member.fit, settings)
            answer.model = member.name
            answer.reason = member.reason
            return answer
        case .failure(let failure):
            return naive(y, settings, reason: failure.reason)
        }
    }

    /// A fitted Holt-Winters, its name and why it is not the seasonal one when it is not.
    struct HoltWintersMember { var fit: ETSFit; var name: String; var reason: String? }
    struct HoltWintersFailure: Swift.Error { var reason: String }

    /// Holt-Winters fitted by least squares from the best point of a grid: multiplicative
    /// season on positive data (additive otherwise); Holt's linear trend without a season when
    /// there are fewer than two seasons.
    static func holtWintersFit(_ y: [Double], period m: Int) -> Result<HoltWintersMember, HoltWintersFailure> {
        let seasonal: ETSModel.Season = y.allSatisfy({ $0 > 0 }) ? .multiplicative : .additive
        let model = ETSModel(error: .additive, trend: .additive, season: seasonal)
        if ETS.admits(model, y, period: m), let fit = ETS.fit(y, period: m, model: model, criterion: .squaredError, search: .grid) {
            return .success(HoltWintersMember(
                fit: fit, name: "Holt-Winters (\(seasonal == .multiplicative ? "multiplicative" : "additive") season)",
                reason: seasonal == .additive ? "the series has values ≤ 0, so the season is additive" : nil))
        }
        let holt = ETSModel(error: .additive, trend: .additive, season: .none)
        guard let fit = ETS.fit(y, period: 1, model: holt, criterion: .squaredError, search: .grid) else {
            return .failure(HoltWintersFailure(reason: "Holt-Winters cannot be fitted to \(y.count) points"))
        }
        return .success(HoltWintersMember(
            fit: fit, name: "Holt (linear trend)", reason: m > 1 ? "fewer than two seasons of \(m) points, so no season" : nil))
    }

    /// The equal-weight mean of auto-ETS and Holt-Winters. On the 148 BLS series this pair
    /// beat every single method and the mixes with Theta or a damped trend
    /// (docs/forecasting.md).
    ///
    /// Intervals: ETS's, fitted by likelihood with its error model, moved to the combined mean
    /// and scaled by how the combination's errors compare with ETS's on the series itself
    /// (``combinationScale``); the total's the same way. Averaging the members' bounds instead
    /// keeps their widths, right for each member but too wide for their mean (86% of the BLS
    /// hold-out inside the 80% bounds, 82.5% after scaling, as Holt-Winters' least-squares fit
    /// has no error model and its simulated spread grows too fast).
    static func combination(_ y: [Double], _ settings: ForecastSettings) -> SeriesForecast {
        let ets = ETS.auto(y, period: settings.period)
        let holtResult = holtWintersFit(y, period: settings.period)
        let holt = try? holtResult.get()
        guard let ets else {
            if let holt {
                var answer = etsForecast(holt.fit, settings)
                answer.model = holt.name
                answer.reason = "no ETS model fits \(y.count) points, so Holt-Winters answered alone"
                return answer
            }
            return naive(y, settings, reason: "no model fits \(y.count) points")
        }
        let reference = etsForecast(ets, settings)
        guard let holt else {
            var answer = reference
            if case .failure(let failure) = holtResult { answer.reason = "\(failure.reason), so ETS answered alone" }
            return answer
        }
        var second = etsForecast(holt.fit, settings)
        second.model = holt.name
        let h = settings.horizon
        let mean = (0..<h).map { (reference.mean[$0] + second.mean[$0]) / 2 }
        let scale = combinationScale(y, fits: [ets, holt.fit], horizon: h, period: settings.period)
        let intervals = reference.intervals.map { interval in
            SeriesForecast.Interval(
                level: interval.level,
                lower: (0..<h).map { mean[$0] - scale.steps * (reference.mean[$0] - interval.lower[$0]) },
                upper: (0..<h).map { mean[$0] + scale.steps * (interval.upper[$0] - reference.mean[$0]) })
        }
        let totalMean = (reference.total.mean + second.total.mean) / 2
        let total = SeriesForecast.Total(
            mean: totalMean,
            intervals: reference.total.intervals.map { interval in
                SeriesForecast.Total.Interval(
                    level: interval.level,
                    lower: totalMean - scale.total * (reference.total.mean - interval.lower),
                    upper: totalMean + scale.total * (interval.upper - reference.total.mean))
            })
        return SeriesForecast(
            model: "combination of \(reference.model) and \(second.model)", reason: nil, mean: mean, intervals: intervals, total: total)
    }

    /// The combination's error against its first member's, from the forecasts the fitted
    /// members make of the last max(36, 10m) points from every origin with h points after it:
    /// for the steps k = Σ_i rms(e_c,i) / Σ_i rms(e_1,i) (e_c the combined mean's error at step
    /// i, e_1 the first member's), for the total the same ratio of the h-step sums' errors.
    /// 1 when fewer than 12 origins exist.
    static func combinationScale(_ y: [Double], fits: [ETSFit], horizon h: Int, period m: Int) -> (steps: Double, total: Double) {
        let n = y.count
        let first = max(1, n - min(n - 1, max(36, 10 * m)))
        guard !fits.isEmpty, n - h - first + 1 >= 12 else { return (1, 1) }
        let origins = Array(first...(n - h))
        let forecasts = fits.map { $0.rollingForecasts(y, origins: origins, horizon: h) }
        // Squared errors by step, and of the h-step sums, of the first member and of the mean.
        var member = [Double](repeating: 0, count: h), combined = [Double](repeating: 0, count: h)
        var memberTotal = 0.0, combinedTotal = 0.0
        for row in origins.indices {
            var memberSum = 0.0, combinedSum = 0.0
            for i in 0..<h {
                let actual = y[origins[row] + i]
                let f = forecasts.reduce(0) { $0 + $1[row * h + i] } / Double(fits.count)
                let e1 = actual - forecasts[0][row * h + i], ec = actual - f
                member[i] += e1 * e1
                combined[i] += ec * ec
                memberSum += e1
                combinedSum += ec
            }
            memberTotal += memberSum * memberSum
            combinedTotal += combinedSum * combinedSum
        }
        func ratio(_ numerator: Double, _ denominator: Double) -> Double {
            let value = numerator / denominator
            return value.isFinite && value > 0 ? value : 1
        }
        let count = Double(origins.count)
        let steps = ratio(combined.reduce(0) { $0 + ($1 / count).squareRoot() }, member.reduce(0) { $0 + ($1 / count).squareRoot() })
        return (steps, ratio(combinedTotal.squareRoot(), memberTotal.squareRoot()))
    }

    // MARK: Baselines and fallbacks

    /// Seasonal naive: ŷ_{n+h} = y_{n+h−m(k+1)}, k = ⌊(h−1)/m⌋, with variance σ²(k + 1) where σ²
    /// is the mean squared seasonal difference.
    static func seasonalNaive(_ y: [Double], _ settings: ForecastSettings, model: String = "seasonal naive", reason: String? = nil) -> SeriesForecast {
        let m = settings.period, n = y.count, h = settings.horizon
        let mean = (0..<h).map { y[n - m + $0 % m] }
        var sum = 0.0
        for t in m..<n { sum += (y[t] - y[t - m]) * (y[t] - y[t - m]) }
        let sigma2 = n > m ? sum / Double(n - m) : 0
        let variances = (0..<h).map { sigma2 * Double($0 / m + 1) }
        // e_{n+h} = Σ_k ε_{n+h−km}: the coefficients are 1 at multiples of m.
        let total = Quantiles.linearTotal(
            mean: mean, sigma2: sigma2, coefficient: { $0 % m == 0 ? 1 : 0 }, weights: [Double](repeating: 1, count: h), levels: settings.levels)
        return SeriesForecast(
            model: model, reason: reason, mean: mean, intervals: Quantiles.normal(mean: mean, variances: variances, levels: settings.levels), total: total)
    }

    /// Naive: every step repeats the last value, variance σ² h from the one-step differences.
    static func naive(_ y: [Double], _ settings: ForecastSettings, reason: String?) -> SeriesForecast {
        var one = settings
        one.period = 1
        return seasonalNaive(y, one, model: "naive", reason: reason)
    }

    /// Teunter, Syntetos & Babai (2011) for intermittent demand: the probability of demand p and
    /// its size z are smoothed separately, p ← p + α_p(𝟙[y>0] − p), z ← z + α_z(y − z) when
    /// y > 0, and the forecast is p·z (α_p = α_z = 0.1). Intervals come from the in-sample
    /// one-step errors' quantiles, widened by √h and kept ≥ 0.
    static func intermittent(_ y: [Double], _ settings: ForecastSettings, reason: String) -> SeriesForecast {
        let (alphaP, alphaZ) = (0.1, 0.1)
        let positives = y.filter { $0 > 0 }
        var p = Double(positives.count) / Double(y.count)
        var z = positives.reduce(0, +) / Double(max(positives.count, 1))
        var errors: [Double] = []
        errors.reserveCapacity(y.count)
        for v in y {
            errors.append(v - p * z)
            p += alphaP * ((v > 0 ? 1 : 0) - p)
            if v > 0 { z += alphaZ * (v - z) }
        }
        let f = p * z
        let h = settings.horizon
        let mean = [Double](repeating: f, count: h)
        let sorted = errors.sorted()
        let intervals = settings.levels.map { level in
            let lo = Quantiles.quantile(sorted, (1 - level / 100) / 2)
            let hi = Quantiles.quantile(sorted, 1 - (1 - level / 100) / 2)
            return SeriesForecast.Interval(
                level: level,
                lower: (0..<h).map { max(0, f + lo * Double($0 + 1).squareRoot()) },
                upper: (0..<h).map { max(0, f + hi * Double($0 + 1).squareRoot()) })
        }
        // The steps' √h widening is a random walk's; the sum of h such steps has the spread of
        // √(Σ_{r=1}^{h} r²) one-step errors.
        let spread = (1...h).reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
        let total = SeriesForecast.Total(
            mean: f * Double(h),
            intervals: settings.levels.map { level in
                let lo = Quantiles.quantile(sorted, (1 - level / 100) / 2), hi = Quantiles.quantile(sorted, 1 - (1 - level / 100) / 2)
                return SeriesForecast.Total.Interval(level: level, lower: max(0, f * Double(h) + lo * spread), upper: max(0, f * Double(h) + hi * spread))
            })
        return SeriesForecast(model: "TSB (intermittent demand)", reason: reason, mean: mean, intervals: intervals, total: total)
    }
}

/// Interval bounds from a normal approximation or from sample paths.
enum Quantiles {
    /// The normal quantile of a central interval at `level` percent; a level so close to 100
    /// that 0.5 + level/200 rounds to 1 takes the largest probability below 1 instead.
    static func z(_ level: Double) -> Double {
        NormalDistribution.quantile(Swift.min(Swift.max(0.5 + level / 200, 0.5), 1 - 0x1p-53))
    }

    /// The total Σ_i w_i y_{n+i} of a linear innovations model, whose step-i error is
    /// e_i = Σ_{j=0}^{i−1} c_j ε_{n+i−j} (c_0 = 1): Σ_i w_i e_i = Σ_k ε_{n+k} Σ_{i≥k} w_i c_{i−k}, so
    /// Var = σ² Σ_{k=1}^{h} (Σ_{i=k}^{h} w_i c_{i−k})², and the bounds are normal around Σ mean.
    static func linearTotal(
        mean: [Double], sigma2: Double, coefficient: (Int) -> Double, weights: [Double], levels: [Double]
    ) -> SeriesForecast.Total {
        let h = mean.count
        let c = (0..<h).map { $0 == 0 ? 1 : coefficient($0) }
        var variance = 0.0
        for k in 0..<h {
            var loading = 0.0
            for i in k..<h { loading += weights[i] * c[i - k] }
            variance += loading * loading
        }
        let sd = (max(sigma2, 0) * variance).squareRoot()
        let sum = mean.reduce(0, +)
        return SeriesForecast.Total(
            mean: sum,
            intervals: levels.map { level in
                let z = Quantiles.z(level)
                return SeriesForecast.Total.Interval(level: level, lower: sum - z * sd, upper: sum + z * sd)
            })
    }

    static func normal(mean: [Double], variances: [Double], levels: [Double]) -> [SeriesForecast.Interval] {
        levels.map { level in
            let z = Quantiles.z(level)
            return SeriesForecast.Interval(
                level: level,
                lower: zip(mean, variances).map { $0 - z * max($1, 0).squareRoot() },
                upper: zip(mean, variances).map { $0 + z * max($1, 0).squareRoot() })
        }
    }

    /// Per-step quantiles of `count` paths (row-major `count × horizon`).
    static func empirical(paths: [Double], count: Int, horizon h: Int, levels: [Double]) -> [SeriesForecast.Interval] {
        var columns = [[Double]](repeating: [], count: h)
        for i in 0..<h {
            columns[i] = (0..<count).map { paths[$0 * h + i] }.filter(\.isFinite).sorted()
        }
        return levels.map { level in
            let q = (1 - level / 100) / 2
            return SeriesForecast.Interval(level: level, lower: columns.map { quantile($0, q) }, upper: columns.map { quantile($0, 1 - q) })
        }
    }

    /// The q-quantile of sorted values by linear interpolation between order statistics
    /// (position q·(n − 1), numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let i = Int(position.rounded(.down))
        let j = min(i + 1, sorted.count - 1)
        return sorted[i] + (position - Double(i)) * (sorted[j] - sorted[i])
    }
}

/// The standard normal distribution's quantile function.
public enum NormalDistribution {
    /// Φ⁻¹(p): Acklam's rational approximation refined by one Halley step on
    /// Φ(x) = erfc(−x/√2)/2, accurate to about 1e-15.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * Double.log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * Double.log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = 0.5 * Double.erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * Double.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
