import Foundation
import MatchworkCore
import Testing

@Suite("Forecasting: ETS, Theta, baselines and fallbacks")
struct ForecastingTests {
    // MARK: State updates on hand-computed cases

    @Test("ETS(A,N,N): ŷ = ℓ, ℓ_t = ℓ + α e")
    func simpleExponentialSmoothing() throws {
        // ℓ0 = 10, α = 0.5, y = 12, 11: ŷ1 = 10, e1 = 2, ℓ1 = 11; ŷ2 = 11, e2 = 0, ℓ2 = 11.
        let fit = try #require(ETS.filter([12, 11], period: 1, model: ETSModel(error: .additive, trend: .none, season: .none), alpha: 0.5, states: [10]))
        #expect(fit.residuals == [2, 0])
        #expect(fit.forecast(horizon: 3) == [11, 11, 11])
    }

    @Test("ETS(A,Ad,N): q = ℓ + φb, b_t = φb + (β/α)(Δℓ − φb), forecasts add φ + φ² + …")
    func dampedTrend() throws {
        // ℓ0 = 10, b0 = 1, α = 0.5, β = 0.1, φ = 0.9, y = 12: q = 10.9, e = 1.1, ℓ1 = 11.45,
        // b1 = 0.9 + 0.2 · (1.45 − 0.9) = 1.01; ŷ(1) = 11.45 + 0.9 · 1.01, ŷ(2) = 11.45 + 1.71 · 1.01.
        let model = ETSModel(error: .additive, trend: .damped, season: .none)
        let fit = try #require(ETS.filter([12], period: 1, model: model, alpha: 0.5, beta: 0.1, phi: 0.9, states: [10, 1]))
        #expect(abs(fit.residuals[0] - 1.1) < 1e-12)
        let f = fit.forecast(horizon: 2)
        #expect(abs(f[0] - (11.45 + 0.9 * 1.01)) < 1e-12)
        #expect(abs(f[1] - (11.45 + 1.71 * 1.01)) < 1e-12)
    }

    @Test("ETS(M,N,M): e = (y − ŷ)/ŷ, ℓ from y/s, s from y/q")
    func multiplicativeSeason() throws {
        // m = 2, ℓ0 = 100, seasonal states s0 (most recent) = 0.8, so the step-1 index is
        // 2 − 0.8 = 1.2; α = 0.2, γ = 0.1, y = 132: ŷ = 120, e = 0.1, ℓ1 = 100 + 0.2 (110 − 100) = 102,
        // s = 1.2 + 0.1 (1.32 − 1.2) = 1.212. Next: ŷ(1) = 102 · 0.8, ŷ(2) = 102 · 1.212.
        let model = ETSModel(error: .multiplicative, trend: .none, season: .multiplicative)
        let fit = try #require(ETS.filter([132], period: 2, model: model, alpha: 0.2, gamma: 0.1, states: [100, 0.8]))
        #expect(abs(fit.residuals[0] - 0.1) < 1e-12)
        let f = fit.forecast(horizon: 2)
        #expect(abs(f[0] - 102 * 0.8) < 1e-9)
        #expect(abs(f[1] - 102 * 1.212) < 1e-9)
    }

    @Test("Additive-error variances: v_h = σ²(1 + α²(h − 1)) for ETS(A,N,N)")
    func analyticVariance() throws {
        let y: [Double] = [10, 12, 11, 13, 12, 14, 13, 12, 15, 14, 13, 16]
        let fit = try #require(ETS.fit(y, period: 1, model: ETSModel(error: .additive, trend: .none, season: .none)))
        let v = try #require(fit.analyticVariances(horizon: 4, mean: fit.forecast(horizon: 4)))
        for h in 1...4 {
            #expect(abs(v[h - 1] - fit.recentSigma2 * (1 + fit.alpha * fit.alpha * Double(h - 1))) < 1e-9)
        }
        #expect(fit.alpha >= 1e-4 && fit.alpha <= 0.9999)
    }

    // MARK: Parity with statsforecast on fixed inputs

    struct Parity: Decodable {
        struct ETSCase: Decodable {
            var model: String
            var damped: Bool
            var period: Int
            var alpha: Double
            var beta: Double?
            var gamma: Double?
            var phi: Double?
            var states: [Double]
            var residuals: [Double]
            var likelihood: Double
            var forecast: [Double]
        }
        struct ThetaCase: Decodable {
            var variant: String
            var initial_level: Double
            var alpha: Double
            var theta: Double
            var residuals: [Double]
            var forecast: [Double]
        }
        var y: [Double]
        var ets: [ETSCase]
        var theta: [ThetaCase]
    }

    static func parity() throws -> Parity {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/forecast-parity.json")
        return try JSONDecoder().decode(Parity.self, from: Data(contentsOf: url))
    }

    @Test("ETS recursions and forecasts equal statsforecast's on fixed parameters and states")
    func etsParity() throws {
        let golden = try Self.parity()
        for c in golden.ets {
            let letters = Array(c.model)
            let model = ETSModel(
                error: letters[0] == "A" ? .additive : .multiplicative,
                trend: letters[1] == "N" ? .none : c.damped ? .damped : .additive,
                season: letters[2] == "N" ? .none : letters[2] == "A" ? .additive : .multiplicative)
            let fit = try #require(ETS.filter(
                golden.y, period: c.period, model: model, alpha: c.alpha, beta: c.beta ?? 0, gamma: c.gamma ?? 0,
                phi: c.phi ?? 1, states: c.states), "\(model)")
            for (a, b) in zip(fit.residuals, c.residuals) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(model) residual") }
            #expect(abs(fit.likelihoodTerm - c.likelihood) <= 1e-8 * abs(c.likelihood), "\(model) likelihood")
            for (a, b) in zip(fit.forecast(horizon: c.forecast.count), c.forecast) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(model) forecast") }
        }
    }

    @Test("Theta recursions and forecasts equal statsforecast's on fixed parameters")
    func thetaParity() throws {
        let golden = try Self.parity()
        for c in golden.theta {
            let variant = try #require(ThetaFit.Variant(rawValue: c.variant))
            let fit = try #require(Theta.filter(golden.y, variant: variant, initialLevel: c.initial_level, alpha: c.alpha, theta: c.theta))
            for (a, b) in zip(fit.forecast(horizon: c.forecast.count), c.forecast) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(variant) forecast") }
        }
    }

    // MARK: Selection, intervals and fallbacks

    /// Monthly, multiplicative season growing with a trend: 8 years.
    static let seasonal: [Double] = (0..<96).map { t in
        let season = [0.9, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.1, 1.0, 0.98, 0.95, 0.97][t % 12]
        let wiggle = Double((t * 7919) % 13) - 6
        return (500 + 3 * Double(t)) * season + wiggle
    }

    @Test("Auto-ETS picks a seasonal model on seasonal data and never additive error with multiplicative season")
    func autoSelection() throws {
        let fit = try #require(ETS.auto(Self.seasonal, period: 12))
        #expect(fit.model.hasSeasonForTesting)
        #expect(!(fit.model.error == .additive && fit.model.season == .multiplicative))
        // Non-positive data excludes every multiplicative part.
        let shifted = Self.seasonal.map { $0 - 600 }
        let other = try #require(ETS.auto(shifted, period: 12))
        #expect(other.model.error == .additive && other.model.season != .multiplicative)
    }

    @Test("Every method forecasts the seasonal series within 5% and orders its intervals", arguments: ForecastMethod.allCases)
    func methods(method: ForecastMethod) {
        let train = Array(Self.seasonal.dropLast(12)), test = Array(Self.seasonal.suffix(12))
        let f = Forecaster.forecast(train, ForecastSettings(horizon: 12, period: 12, method: method, levels: [80, 95]))
        #expect(f.mean.count == 12)
        #expect(ForecastAccuracy.smape(actual: test, forecast: f.mean) < 5, "\(f.model)")
        let i80 = f.interval(at: 80)!, i95 = f.interval(at: 95)!
        for h in 0..<12 {
            #expect(i95.lower[h] <= i80.lower[h] && i80.lower[h] <= f.mean[h] + 1e-9)
            #expect(f.mean[h] <= i80.upper[h] + 1e-9 && i80.upper[h] <= i95.upper[h])
        }
    }

    @Test("Short, constant and intermittent series fall back and say why")
    func fallbacks() {
        let settings = ForecastSettings(horizon: 3, period: 12)
        let short = Forecaster.forecast([5, 7, 6], settings)
        #expect(short.model == "naive")
        #expect(short.reason == "only 3 points; a model needs at least 4")
        #expect(short.mean == [6, 6, 6])
        let constant = Forecaster.forecast([4, 4, 4, 4, 4, 4], settings)
        #expect(constant.reason == "the series is constant")
        #expect(constant.interval(at: 80)!.lower == [4, 4, 4])
        let sparse: [Double] = [0, 0, 3, 0, 0, 0, 2, 0, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 3, 0]
        let intermittent = Forecaster.forecast(sparse, settings)
        #expect(intermittent.model == "TSB (intermittent demand)")
        #expect(intermittent.reason == "intermittent: 75% of the points are zero")
        #expect(intermittent.mean.allSatisfy { $0 > 0 && $0 < 5 })
        #expect(intermittent.interval(at: 95)!.lower.allSatisfy { $0 >= 0 })
    }

    @Test("sMAPE and MASE by their definitions")
    func accuracy() throws {
        // sMAPE: |10 − 8|/9 and |20 − 25|/22.5 → 100/2 · (0.2222… + 0.2222…).
        #expect(abs(ForecastAccuracy.smape(actual: [10, 20], forecast: [8, 25]) - 100.0 / 2 * (2.0 / 9 + 5.0 / 22.5)) < 1e-12)
        #expect(ForecastAccuracy.smape(actual: [0, 0], forecast: [0, 0]) == 0)
        // MASE, m = 2: in-sample |3 − 1|, |4 − 2|, |6 − 3| → scale 7/3; errors 1 and 3 → mean 2.
        let mase = try #require(ForecastAccuracy.mase(actual: [7, 9], forecast: [6, 6], insample: [1, 2, 3, 4, 6], period: 2))
        #expect(abs(mase - 2 / (7.0 / 3)) < 1e-12)
        #expect(ForecastAccuracy.mase(actual: [1], forecast: [1], insample: [5, 5, 5], period: 1) == nil)
    }

    @Test("The normal quantile function", arguments: [(0.5, 0.0), (0.9, 1.2815515655446004), (0.975, 1.959963984540054), (0.001, -3.090232306167813)])
    func normalQuantile(p: Double, z: Double) {
        #expect(abs(NormalDistribution.quantile(p) - z) < 1e-12)
    }

    @Test("Classical decomposition recovers a pure additive season")
    func decomposition() throws {
        let pattern: [Double] = [3, -1, -2, 0]
        let y = (0..<24).map { 50 + 0.5 * Double($0) + pattern[$0 % 4] }
        let seasonal = try #require(SeasonalDecomposition.seasonal(y, period: 4, kind: .additive))
        for t in 0..<4 { #expect(abs(seasonal[t] - pattern[t]) < 1e-9) }
        #expect(SeasonalDecomposition.isSeasonal(Self.seasonal, period: 12))
        #expect(!SeasonalDecomposition.isSeasonal((0..<60).map { Double($0) }, period: 12))
    }
}

extension ETSModel {
    var hasSeasonForTesting: Bool { season != .none }
}
